/**
 * Runs the store contract suite on every store mlf has: the file store, SQLite, PostgreSQL and
 * MariaDB (skipped with a printed reason when the server is unreachable, a failure under CI=true),
 * and SQL Server when MLF_TEST_MSSQL_URI is set. MLF_TEST_DIALECTS narrows the SQL dialects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects } from '../support/databases.js';
import { defineContractSuite } from './contract.js';

defineContractSuite('file store', async () => {
  const dir = tempDir('mlf-contract-');
  const store = await openTrackingStore(path.join(dir, 'mlruns'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

for (const dialect of testDialects()) {
  const skip = await skipUnlessAvailable(dialect);
  describe.skipIf(skip)(`sql store on ${dialect}`, () => {
    defineContractSuite(dialect, async () => {
      const db = await createTestDatabase(dialect);
      const store = await openTrackingStore(db.uri);
      return {
        store,
        cleanup: async () => {
          await store.close();
          await db.drop();
        },
      };
    });
  });
}

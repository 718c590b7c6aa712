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
import { experimentTagValueLimit, HEAD_REVISION } from '../../src/stores/sql/migrate/head.js';

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
        experimentTagValueLimit: experimentTagValueLimit(HEAD_REVISION),
      };
    });
  });
}

// The HTTP store against `mlf server` over each local store kind: every contract call crosses the REST
// API twice (RestStore → server → store). The REST API has no hard delete, so the purge tests reach
// the server's backend store directly, as `mlf gc --backend-store-uri` would; everything else,
// including the reads that check a purge, goes over HTTP.
for (const backend of ['sqlite', 'file'] as const) {
  defineContractSuite(`http → ${backend}`, async () => {
    const { startServer, resolveSettings } = await import('../../src/server/serve.js');
    const { RestStore } = await import('../../src/stores/rest/rest-store.js');
    const { parseStoreUri } = await import('../../src/tracking/uri.js');
    const dir = tempDir('mlf-contract-http-');
    const backendStoreUri = backend === 'sqlite' ? `sqlite:///${path.join(dir, 'mlflow.db')}` : path.join(dir, 'mlruns');
    const server = await startServer(
      resolveSettings({ backendStoreUri, port: 0, artifactsDestination: path.join(dir, 'mlartifacts'), logLevel: 'none' }),
    );
    const parsed = parseStoreUri(server.url);
    if (parsed.kind !== 'rest') throw new Error(`not an HTTP URI: ${server.url}`);
    const base = RestStore.open(parsed, { env: {}, home: dir });
    const store = Object.assign(base, {
      purgeRuns: server.store.purgeRuns.bind(server.store),
      purgeExperiments: server.store.purgeExperiments.bind(server.store),
    });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await server.close(1000);
        fs.rmSync(dir, { recursive: true, force: true });
      },
      ...(backend === 'sqlite' ? { experimentTagValueLimit: experimentTagValueLimit(HEAD_REVISION) } : {}),
    };
  });
}

/**
 * Database to database between dialects: runs, the Model Registry and traces come over whole, ids
 * kept; the registry tables read back row for row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { connectSql } from '../../src/stores/sql/connect.js';
import { openRegistryStore } from '../../src/stores/sql/registry/index.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, testDialects, type TestDatabase, type TestDialect } from '../support/databases.js';
import { FILE_REF, expectStoreEquals } from './support.js';

/** The copied tables this test fills (MLflow 3's are mlflow3-tables.test.ts's). */
const FILLED = ['registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases', 'trace_info', 'trace_tags', 'trace_request_metadata'];

const PAIRS: [TestDialect, TestDialect][] = [
  ['postgresql', 'mysql'],
  ['mysql', 'sqlite'],
  ['sqlite', 'postgresql'],
];

/** Every row of a table, values as strings, sorted: comparable across dialects. */
async function tableRows(uri: string, table: string): Promise<string[]> {
  const conn = await connectSql(parseDbUri(uri));
  try {
    const rows = await conn.db.selectFrom(table).selectAll().execute();
    return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k] === null ? null : String(r[k])]))).sort();
  } finally {
    await conn.close();
  }
}

const pairs = PAIRS.filter(([a, b]) => testDialects().includes(a) && testDialects().includes(b));
if (pairs.length === 0) {
  describe.skip('import between databases: MLF_TEST_DIALECTS names fewer than two of the paired dialects', () => {
    it('needs two dialects', () => undefined);
  });
}
for (const [from, to] of pairs) {
  describe(`import ${from} -> ${to}`, async () => {
    const skip = (await skipUnlessAvailable(from)) || (await skipUnlessAvailable(to));
    const dbs: TestDatabase[] = [];
    let mlruns: string | undefined;
    afterAll(async () => {
      for (const db of dbs) await db.drop().catch(() => undefined);
      if (mlruns) fs.rmSync(path.dirname(mlruns), { recursive: true, force: true });
    });

    it.skipIf(skip)('copies runs, registry and traces with ids kept', async () => {
      mlruns = copyFixture('mlruns');
      const source = await createTestDatabase(from);
      const target = await createTestDatabase(to);
      dbs.push(source, target);
      const first = await importStore({ from: mlruns, to: source.uri, idMapFile: path.join(path.dirname(mlruns), 'ids.json') });
      const a1 = FILE_REF.runs.find((r) => r.ref_key === 'A1')!.run_id;
      const reg = await openRegistryStore(source.uri);
      try {
        await reg.createRegisteredModel({ name: 'churn', tags: [{ key: 'team', value: 'ml' }] });
        const v = await reg.createModelVersion({ name: 'churn', source: 'mlflow-artifacts:/1/x/artifacts/model', runId: a1, tags: [{ key: 'k', value: 'v' }] });
        await reg.setRegisteredModelAlias('churn', 'champion', v.version);
      } finally {
        await reg.close();
      }
      const conn = await connectSql(parseDbUri(source.uri));
      try {
        const expId = Number(first.renumbered[FILE_REF.experiments.find((e) => e.name === 'ref-exp-A')!.experiment_id]);
        await conn.db.insertInto('trace_info').values({ request_id: 'tr-1', experiment_id: expId, timestamp_ms: 1700000000000, execution_time_ms: 12, status: 'OK' }).execute();
        await conn.db.insertInto('trace_tags').values({ key: 'mlflow.traceName', value: 'predict', request_id: 'tr-1' }).execute();
        await conn.db.insertInto('trace_request_metadata').values({ key: 'mlflow.sourceRun', value: a1, request_id: 'tr-1' }).execute();
      } finally {
        await conn.close();
      }

      const r = await importStore({ from: source.uri, to: target.uri });
      expect(r.differences).toEqual([]);
      expect(r.renumbered).toEqual({});
      expect(r.rows).toMatchObject({ registered_models: 1, model_versions: 1, registered_model_aliases: 1, trace_info: 1, trace_tags: 1, trace_request_metadata: 1 });
      const store = await openTrackingStore(target.uri);
      try {
        await expectStoreEquals(store, FILE_REF, first.renumbered);
      } finally {
        await store.close();
      }
      for (const t of FILLED) expect(await tableRows(target.uri, t), t).toEqual(await tableRows(source.uri, t));

      const again = await importStore({ from: source.uri, to: target.uri });
      expect(again.rows).toEqual({});
    });
  });
}

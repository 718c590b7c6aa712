/**
 * A target kept at MLflow 2.17's revision (`--to-revision f5a4f2784254`) lacks columns a source at
 * mlf's head has (`workspace`, `inputs.step`, trace previews): a source with values in them is refused
 * naming table and column, nothing written; one that leaves them NULL or at their default is copied
 * without them. The defaults are read from each dialect's catalog, so each dialect is a source too.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { upgrade } from '../../src/stores/sql/migrate/index.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects } from '../support/databases.js';
import { count, scratch, withDb } from './db-helpers.js';

const OLD = 'f5a4f2784254';
const { dbs, dirs } = scratch();

describe('db import into a target revision without some of the source\'s columns', () => {
  for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
    it(`${dialect} at head → ${dialect} at 2.17: values refused by table.column, defaults left out`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) ctx.skip();
      const source = await createTestDatabase(dialect);
      const target = await createTestDatabase(dialect);
      dbs.push(source, target);
      const dir = tempDir();
      dirs.push(dir);
      const idMapFile = path.join(dir, 'ids.json');

      const store = await openTrackingStore(source.uri);
      let expId: string;
      let runId: string;
      try {
        expId = await store.createExperiment({ name: 'E' });
        runId = (await store.createRun({ experimentId: expId, startTime: 1700000000000 })).info.runId;
      } finally {
        await store.close();
      }
      await withDb(source.uri, async ({ db }) => {
        // A registered model in the default workspace: `workspace` holds its default only.
        await db.insertInto('registered_models').values({ name: 'rm', creation_time: 1, last_updated_time: 2, description: 'd' }).execute();
        await db
          .insertInto('trace_info')
          .values({ request_id: 'tr-1', experiment_id: Number(expId), timestamp_ms: 5, execution_time_ms: 6, status: 'OK', client_request_id: 'c-1', request_preview: '{"q": 1}' })
          .execute();
      });
      await withDb(target.uri, (conn) => upgrade(conn, { to: OLD }));
      const before = { runs: await count(target.uri, 'runs'), experiments: await count(target.uri, 'experiments') };

      const err = (await importStore({ from: source.uri, to: target.uri, toRevision: OLD, idMapFile }).catch((e: unknown) => e)) as { errorCode: string; message: string };
      expect(err.errorCode).toBe('INVALID_PARAMETER_VALUE');
      expect(err.message).toMatch(/^The source has values in trace_info\.client_request_id, trace_info\.request_preview, which the target at revision f5a4f2784254 has no column for; .*Nothing was written\.$/);
      expect(err.message).not.toMatch(/workspace|db_payload_generation|response_preview/);
      expect({ runs: await count(target.uri, 'runs'), experiments: await count(target.uri, 'experiments') }).toEqual(before);

      // NULLs and defaults only: copied without those columns, nothing missing.
      await withDb(source.uri, ({ db }) => db.updateTable('trace_info').set({ client_request_id: null, request_preview: null }).execute());
      const r = await importStore({ from: source.uri, to: target.uri, toRevision: OLD, idMapFile });
      expect(r.differences).toEqual([]);
      expect(r.rows).toMatchObject({ runs: 1, registered_models: 1, trace_info: 1 });
      const copied = await withDb(target.uri, async ({ db }) => (await db.selectFrom('trace_info').selectAll().execute())[0]);
      expect(copied).toMatchObject({ request_id: 'tr-1', status: 'OK' });
      expect(Number(copied!.timestamp_ms)).toBe(5);

      // A run's model output at step 2 (MLflow 3's inputs.step): refused, though the table is there.
      const link = { input_uuid: 'l-1', source_type: 'RUN_OUTPUT', source_id: runId!, destination_type: 'MODEL_OUTPUT', destination_id: 'm-1', step: 2 };
      await withDb(source.uri, ({ db }) => db.insertInto('inputs').values(link).execute());
      await expect(importStore({ from: source.uri, to: target.uri, toRevision: OLD, idMapFile })).rejects.toMatchObject({
        message: expect.stringMatching(/^The source has values in inputs\.step, which the target/),
      });
      expect(await count(target.uri, 'inputs')).toBe(0);
      // A workspace of its own: the whole table is missing there (the `default` one every database has is not counted).
      await withDb(source.uri, async ({ db }) => {
        await db.deleteFrom('inputs').execute();
        await db.insertInto('workspaces').values({ name: 'team-b' }).execute();
      });
      await expect(importStore({ from: source.uri, to: target.uri, toRevision: OLD, idMapFile })).rejects.toMatchObject({
        message: expect.stringMatching(/^The source has rows in workspaces, which a database at revision f5a4f2784254 has no table for/),
      });
    }, 120_000);
  }
});

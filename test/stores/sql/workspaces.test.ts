/**
 * MLflow 3.10's workspaces (1b5f0d9ad7c1) on the SQL tracking store, which works as MLflow does with
 * workspaces off: experiments are written in `default`, names are unique within it and looked up in
 * it, and a database that has experiments, registered models or webhooks in another workspace is
 * refused when a store opens, with MLflow's INVALID_STATE message (MLflow's server refuses to start
 * on it without --enable-workspaces). Rows another workspace gains while a store is open stay
 * invisible to it. Run at the head on every dialect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connectSql, type SqlConnection } from '../../../src/stores/sql/connect.js';
import { hasWorkspaces, HEAD_REVISION } from '../../../src/stores/sql/migrate/head.js';
import { openRegistryStore } from '../../../src/stores/sql/registry/index.js';
import { SqlStore } from '../../../src/stores/sql/sql-store.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { createTestDatabase, skipUnlessAvailable, testDialects, type TestDatabase } from '../../support/databases.js';
import { ensureBuilt, runMlf } from '../../migrations/cli.js';

const REFUSAL = /^Cannot disable workspaces because (experiments|registered models|webhooks) exist outside the default workspace/;

async function addExperiment(conn: SqlConnection, name: string, workspace: string): Promise<void> {
  await sql`insert into experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace)
            values (${name}, ${'/tmp/' + name}, 'active', 1, 1, ${workspace})`.execute(conn.db);
}

for (const dialect of testDialects()) {
  describe(`workspaces at the head on ${dialect}`, async () => {
    const skip = await skipUnlessAvailable(dialect);
    let db: TestDatabase;
    let store: SqlStore;
    let raw: SqlConnection;

    beforeAll(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      store = await SqlStore.open(parseDbUri(db.uri));
      raw = await connectSql(parseDbUri(db.uri));
    });
    afterAll(async () => {
      if (skip) return;
      await store?.close();
      await raw?.close();
      await db?.drop();
    });

    it.skipIf(skip)('writes new experiments in the default workspace', async () => {
      expect(hasWorkspaces(HEAD_REVISION)).toBe(true);
      const id = await store.createExperiment({ name: 'shared' });
      const rows = await sql<{ workspace: string }>`select workspace from experiments where experiment_id = ${Number(id)}`.execute(raw.db);
      expect(rows.rows[0]?.workspace).toBe('default');
    });

    it.skipIf(skip)('keeps names, lookups and search to the default workspace while another appears', async () => {
      await store.createExperiment({ name: 'renamable' });
      await addExperiment(raw, 'shared', 'team-a');
      await addExperiment(raw, 'only-in-a', 'team-a');

      const shared = await store.getExperimentByName('shared');
      expect(shared).not.toBeNull();
      const [{ workspace }] = (await sql<{ workspace: string }>`select workspace from experiments where experiment_id = ${Number(shared!.experimentId)}`.execute(raw.db)).rows as [{ workspace: string }];
      expect(workspace).toBe('default');
      expect(await store.getExperimentByName('only-in-a')).toBeNull();

      const listed = (await store.searchExperiments({ viewType: 'ALL' })).items.map((e) => e.name).sort();
      expect(listed).toEqual(['Default', 'renamable', 'shared']);

      // UNIQUE(workspace, name): a name taken only in team-a is free in default, one taken in default is not.
      await expect(store.createExperiment({ name: 'shared' })).rejects.toMatchObject({ errorCode: 'RESOURCE_ALREADY_EXISTS' });
      const mine = await store.createExperiment({ name: 'only-in-a' });
      expect((await store.getExperimentByName('only-in-a'))?.experimentId).toBe(mine);
      const renamable = (await store.getExperimentByName('renamable'))!.experimentId;
      await expect(store.renameExperiment(renamable, 'shared')).rejects.toMatchObject({ errorCode: 'RESOURCE_ALREADY_EXISTS' });
      await store.deleteExperiment(mine);
      await store.renameExperiment(renamable, 'only-in-a-too');
    });

    it.skipIf(skip)("refuses to open a database with experiments outside the default workspace, with MLflow's message", async () => {
      const open = SqlStore.open(parseDbUri(db.uri));
      await expect(open).rejects.toMatchObject({ errorCode: 'INVALID_STATE' });
      await expect(SqlStore.open(parseDbUri(db.uri))).rejects.toThrow(/^Cannot disable workspaces because experiments exist outside the default workspace/);
      await expect(openRegistryStore(db.uri)).rejects.toThrow(REFUSAL);
      if (dialect !== 'sqlite') return;
      // The commands and the server say it in one line, exit 1.
      ensureBuilt();
      for (const args of [['experiments', 'list', '--tracking-uri', db.uri], ['gc', '--backend-store-uri', db.uri], ['server', '--backend-store-uri', db.uri, '--port', '0']]) {
        const r = await runMlf(args);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/Cannot disable workspaces because experiments exist outside the default workspace/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }, 60_000);

    it.skipIf(skip)('refuses registered models outside the default workspace too, and opens once all is in default', async () => {
      await sql`delete from experiments where workspace <> 'default'`.execute(raw.db);
      await (await SqlStore.open(parseDbUri(db.uri))).close();
      await sql`insert into registered_models (workspace, name, creation_time, last_updated_time) values ('team-a', 'm', 1, 1)`.execute(raw.db);
      await expect(SqlStore.open(parseDbUri(db.uri))).rejects.toThrow(/^Cannot disable workspaces because registered models exist outside the default workspace/);
      await sql`delete from registered_models`.execute(raw.db);
      const again = await SqlStore.open(parseDbUri(db.uri));
      await again.close();
    });
  });
}

/**
 * `mlf db upgrade` from every revision of MLflow's chain, not only from the fixture's: a database
 * built to revision r (with rows written as MLflow wrote them at r) reaches exactly MLflow's head
 * schema, and keeps its rows (MLflow 3's tables' too); the data-rewriting migrations (user →
 * mlflow.user tag, latest_metrics) do their job when they run.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { HEAD_REVISION, currentRevision, upgrade } from '../../src/stores/sql/migrate/index.js';
import { migrationContext } from '../../src/stores/sql/migrate/ddl.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { FIXTURES, copyFixture, createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase } from '../support/databases.js';
import { mysqlSchema, postgresSchema, sqliteSchema } from './introspect.js';

const open: SqlConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const LATEST_METRICS_REV = '89d4b8295536';
/** The revision that creates each registry table. */
const REGISTRY_TABLE_REV: Record<string, string> = {
  registered_models: '2b4d017a5e9b',
  model_versions: '2b4d017a5e9b',
  registered_model_tags: '728d730b5ebd',
  model_version_tags: '27a6a02d2cf1',
  registered_model_aliases: '3500859a5d39',
};
const USER_TAG_REV = '90e64c465722';
const index = (rev: string | null) => MIGRATIONS.findIndex((m) => m.revision === rev);

/** A database built by mlf's own migrations up to `rev`, with rows in the initial tables' columns. */
async function databaseAt(rev: string | null, uri?: string): Promise<{ file: string; conn: SqlConnection }> {
  const file = path.join(tempDir(), 'at.db');
  const conn = await connectSql(parseDbUri(uri ?? `sqlite:///${file}`));
  open.push(conn);
  for (const m of MIGRATIONS.slice(0, index(rev) + 1)) await m.up(migrationContext(conn.db, conn.dialect));
  if (rev !== null) {
    await sql`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`.execute(conn.db);
    await sql`insert into alembic_version values (${rev})`.execute(conn.db);
  }
  await conn.db.insertInto('experiments').values({ experiment_id: 1, name: 'e', artifact_location: '/a/1', lifecycle_stage: 'active' }).execute();
  await conn.db
    .insertInto('runs')
    .values({
      run_uuid: 'r1',
      name: 'run-one',
      source_type: 'UNKNOWN',
      source_name: '',
      entry_point_name: '',
      user_id: 'alice',
      status: 'FINISHED',
      start_time: 1000,
      end_time: 2000,
      source_version: '',
      lifecycle_stage: 'active',
      artifact_uri: '/a/1/r1/artifacts',
      experiment_id: 1,
    })
    .execute();
  await conn.db.insertInto('metrics').values([
    { key: 'loss', value: 2.5, timestamp: 10, run_uuid: 'r1' },
    { key: 'loss', value: 1.5, timestamp: 20, run_uuid: 'r1' },
  ]).execute();
  await conn.db.insertInto('params').values({ key: 'lr', value: '0.1', run_uuid: 'r1' }).execute();
  await conn.db.insertInto('tags').values({ key: 'team', value: 'cv', run_uuid: 'r1' }).execute();
  // Registry rows (where the revision has the tables): 1b5f0d9ad7c1 re-keys them on workspace.
  const tables = await conn.dialect.ddl.catalog.tables(conn.db);
  if (tables.includes('registered_models')) {
    await conn.db.insertInto('registered_models').values({ name: 'model' }).execute();
    await conn.db.insertInto('model_versions').values({ name: 'model', version: 1, run_id: 'r1' }).execute();
  }
  if (tables.includes('registered_model_tags')) await conn.db.insertInto('registered_model_tags').values({ name: 'model', key: 'k', value: 'v' }).execute();
  if (tables.includes('model_version_tags')) await conn.db.insertInto('model_version_tags').values({ name: 'model', version: 1, key: 'k', value: 'v' }).execute();
  if (tables.includes('registered_model_aliases')) await conn.db.insertInto('registered_model_aliases').values({ name: 'model', alias: 'prod', version: 1 }).execute();
  if (rev !== null) for (const t of MLFLOW3_ROWS) if (index(rev) >= index(t.from)) await t.write(conn.db, rev);
  return { file, conn };
}

type Db = SqlConnection['db'];
/**
 * Rows in MLflow 3's tables, written at every revision that has the table (in that revision's
 * columns) and read back at the head: they must survive each later step, renames and rebuilds included.
 */
const MLFLOW3_ROWS: { from: string; write(db: Db, rev: string): Promise<void>; read(db: Db): Promise<unknown>; want: unknown }[] = [
  {
    from: 'de4033877273',
    write: (db) =>
      db
        .insertInto('entity_associations')
        .values({ association_id: 'a1', source_type: 'evaluation_dataset', source_id: 'd1', destination_type: 'experiment', destination_id: '1', created_time: 5 })
        .execute()
        .then(() => undefined),
    read: (db) => db.selectFrom('entity_associations').select(['association_id', 'source_id', 'destination_id']).execute(),
    want: [{ association_id: 'a1', source_id: 'd1', destination_id: '1' }],
  },
  {
    from: '534353b11cbc',
    write: async (db) => {
      await db.insertInto('scorers').values({ experiment_id: 1, scorer_name: 'relevance', scorer_id: 'sc1' }).execute();
      await db.insertInto('scorer_versions').values({ scorer_id: 'sc1', scorer_version: 1, serialized_scorer: '{}' }).execute();
    },
    read: (db) => db.selectFrom('scorer_versions').innerJoin('scorers', 'scorers.scorer_id', 'scorer_versions.scorer_id').select(['scorer_name', 'scorer_version']).execute(),
    want: [{ scorer_name: 'relevance', scorer_version: 1 }],
  },
  {
    from: '71994744cf8e',
    write: async (db) => {
      await db.insertInto('evaluation_datasets').values({ dataset_id: 'd1', name: 'golden' }).execute();
      await db.insertInto('evaluation_dataset_records').values({ dataset_record_id: 'rec1', dataset_id: 'd1', inputs: '{"q": 1}', input_hash: 'h1' }).execute();
    },
    read: (db) => db.selectFrom('evaluation_dataset_records').select(['dataset_record_id', 'input_hash']).execute(),
    want: [{ dataset_record_id: 'rec1', input_hash: 'h1' }],
  },
  {
    // 5d2d30f0abce renames function_fullname to job_name: a job written before it keeps its name.
    from: 'bf29a5ff90ea',
    write: (db, rev) =>
      db
        .insertInto('jobs')
        .values({
          id: 'j1',
          creation_time: 1,
          [index(rev) < index('5d2d30f0abce') ? 'function_fullname' : 'job_name']: 'mlflow.genai.run',
          params: '{}',
          status: 0,
          retry_count: 0,
          last_update_time: 1,
        })
        .execute()
        .then(() => undefined),
    read: (db) => db.selectFrom('jobs').select(['id', 'job_name']).execute(),
    want: [{ id: 'j1', job_name: 'mlflow.genai.run' }],
  },
  {
    // d0e1f2a3b4c5 rebuilds endpoints on SQLite; its children and the new columns' defaults must hold.
    from: '1bd49d398cd23',
    write: async (db) => {
      const secret = { secret_id: 's1', secret_name: 'key', encrypted_value: Buffer.from([1]), wrapped_dek: Buffer.from([2]), kek_version: 1 };
      await db.insertInto('secrets').values({ ...secret, masked_value: 'k...', created_at: 1, last_updated_at: 1 }).execute();
      await db.insertInto('endpoints').values({ endpoint_id: 'e1', name: 'chat', created_at: 1, last_updated_at: 1 }).execute();
      await db
        .insertInto('model_definitions')
        .values({ model_definition_id: 'md1', name: 'gpt', secret_id: 's1', provider: 'openai', model_name: 'gpt-4o', created_at: 1, last_updated_at: 1 })
        .execute();
      await db.insertInto('endpoint_model_mappings').values({ mapping_id: 'mm1', endpoint_id: 'e1', model_definition_id: 'md1', weight: 1, created_at: 1 }).execute();
      await db.insertInto('endpoint_tags').values({ key: 'team', value: 'nlp', endpoint_id: 'e1' }).execute();
    },
    read: async (db) => [
      (await db.selectFrom('endpoints').select(['endpoint_id', 'name', 'experiment_id', 'usage_tracking']).execute()).map((e) => ({ ...e, usage_tracking: Number(e.usage_tracking) })),
      await db.selectFrom('endpoint_model_mappings').select(['mapping_id', 'endpoint_id', 'linkage_type']).execute(),
      await db.selectFrom('endpoint_tags').select(['key', 'endpoint_id']).execute(),
    ],
    want: [
      [{ endpoint_id: 'e1', name: 'chat', experiment_id: null, usage_tracking: 0 }],
      [{ mapping_id: 'mm1', endpoint_id: 'e1', linkage_type: 'PRIMARY' }],
      [{ key: 'team', endpoint_id: 'e1' }],
    ],
  },
];

const revisions: (string | null)[] = MIGRATIONS.slice(0, -1).map((m) => m.revision);

/** The rows every upgraded database must still hold (and the data migrations must have added). */
async function expectRowsKept(conn: SqlConnection, rev: string | null): Promise<void> {
  const db = conn.db;
  expect(await db.selectFrom('runs').select(['run_uuid', 'name', 'user_id', 'status', 'start_time', 'end_time', 'experiment_id']).execute()).toEqual([
    { run_uuid: 'r1', name: 'run-one', user_id: 'alice', status: 'FINISHED', start_time: 1000, end_time: 2000, experiment_id: 1 },
  ]);
  expect(await db.selectFrom('params').select(['key', 'value']).execute()).toEqual([{ key: 'lr', value: '0.1' }]);
  const tags = await db.selectFrom('tags').select(['key', 'value']).orderBy('key').execute();
  // 90e64c465722 copies runs.user_id into an mlflow.user tag; databases already past it keep their tags.
  const wantTags = index(rev) < index(USER_TAG_REV) ? [{ key: 'mlflow.user', value: 'alice' }, { key: 'team', value: 'cv' }] : [{ key: 'team', value: 'cv' }];
  expect(tags).toEqual(wantTags);
  const metrics = await db.selectFrom('metrics').select(['key', 'value', 'timestamp', 'step', 'is_nan']).orderBy('timestamp').execute();
  expect(metrics.map((m) => [m.key, m.value, m.timestamp, Number(m.step), Number(m.is_nan)])).toEqual([
    ['loss', 2.5, 10, 0, 0],
    ['loss', 1.5, 20, 0, 0],
  ]);
  // Rows written before a table had its workspace column are in MLflow's 'default' workspace.
  const ws = async (table: string) => ((await conn.dialect.ddl.catalog.columns(db, table)).some((c) => c.name === 'workspace') ? ['workspace'] : []);
  expect(await db.selectFrom('experiments').select(['experiment_id', 'name', ...(await ws('experiments'))]).execute()).toEqual([
    { experiment_id: 1, name: 'e', ...((await ws('experiments')).length ? { workspace: 'default' } : {}) },
  ]);
  const registry: [string, string[]][] = [
    ['registered_models', ['name']],
    ['model_versions', ['name', 'version']],
    ['registered_model_tags', ['name', 'key']],
    ['model_version_tags', ['name', 'version', 'key']],
    ['registered_model_aliases', ['name', 'alias']],
  ];
  for (const [table, cols] of registry) {
    if (!(await conn.dialect.ddl.catalog.tables(db)).includes(table)) continue;
    const rows = await db.selectFrom(table).select([...cols, ...(await ws(table))]).execute();
    for (const r of rows) if ('workspace' in r) expect(r.workspace, table).toBe('default');
    // Every registry table the revision had when rows were written still has its row.
    if (index(rev) >= index(REGISTRY_TABLE_REV[table]!)) expect(rows, table).toHaveLength(1);
  }
  if (index(rev) < index(LATEST_METRICS_REV)) {
    // 89d4b8295536 fills latest_metrics from metrics: the maximum by (step, timestamp, value).
    const latest = await db.selectFrom('latest_metrics').select(['key', 'value', 'timestamp', 'step']).execute();
    expect(latest.map((m) => [m.key, m.value, m.timestamp, Number(m.step)])).toEqual([['loss', 1.5, 20, 0]]);
  }
  if (rev !== null) for (const t of MLFLOW3_ROWS) if (index(rev) >= index(t.from)) expect(await t.read(db), t.from).toEqual(t.want);
}

/** The schema of MLflow 2.17's own database upgraded by mlf to head: what every upgrade must reach. */
let headSchema: unknown;
async function mlflowHeadUpgraded(): Promise<unknown> {
  if (headSchema === undefined) {
    const file = copyFixture('sqlite-head.db');
    const conn = await connectSql(parseDbUri(`sqlite:///${file}`));
    await upgrade(conn);
    await conn.close();
    headSchema = sqliteSchema(file);
  }
  return headSchema;
}

const MLFLOW_2_17 = 'f5a4f2784254';

describe('db upgrade from every revision of the chain (SQLite)', () => {
  for (const rev of revisions) {
    it(`upgrades a database at ${rev ?? 'the initial tables (no alembic_version)'} to MLflow 2.17's schema and on to the head, rows intact`, async () => {
      const { file, conn } = await databaseAt(rev);
      if (index(rev) < index(MLFLOW_2_17)) {
        // Stopping at 2.17 (--to) gives exactly the database MLflow 2.17 itself makes.
        const to217 = await upgrade(conn, { to: MLFLOW_2_17 });
        expect(to217.applied).toHaveLength(index(MLFLOW_2_17) - index(rev));
        expect(await currentRevision(conn.db)).toBe(MLFLOW_2_17);
        expect(sqliteSchema(file)).toEqual(sqliteSchema(path.join(FIXTURES, 'sqlite-head.db')));
      }
      await upgrade(conn);
      expect(await currentRevision(conn.db)).toBe(HEAD_REVISION);
      await expectRowsKept(conn, rev);
      const db = conn.db;
      expect(await sql`pragma foreign_key_check`.execute(db).then((r) => r.rows)).toEqual([]);
      await conn.close();
      open.splice(open.indexOf(conn), 1);
      expect(sqliteSchema(file)).toEqual(await mlflowHeadUpgraded());
    });
  }
});

// On the database servers, a sample of the chain: the initial tables, the first batch rebuild, both
// data-rewriting migrations, the status-constraint change, the param widenings, MLflow 2.17's and
// 2.18's heads into MLflow 3's chain, and MLflow 3 databases with rows in the jobs table before its
// rename and in the gateway tables before endpoints gain their FK.
const SERVER_REVISIONS: (string | null)[] = [
  null,
  '451aebb31d03',
  '7ac759974ad8',
  'cfd24bdc0731',
  'cc1f77228345',
  '7f2a7d5fae7d',
  'f5a4f2784254',
  '0584bdc529eb',
  'bf29a5ff90ea',
  'd3e4f5a6b7c8',
];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
});

for (const dialect of ['postgresql', 'mysql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`db upgrade from revisions of the chain (${dialect})`, () => {
    const snapshot = (conn: SqlConnection) =>
      (dialect === 'postgresql' ? postgresSchema : mysqlSchema)(async (text) => (await sql.raw(text).execute(conn.db)).rows as Record<string, unknown>[]);
    let head: unknown;
    for (const rev of SERVER_REVISIONS) {
      it(`upgrades a database at ${rev ?? 'the initial tables'} to the same catalog as a new one, rows intact`, async () => {
        if (head === undefined) {
          const ref = await createTestDatabase(dialect);
          dbs.push(ref);
          const refConn = await connectSql(parseDbUri(ref.uri));
          open.push(refConn);
          await upgrade(refConn);
          head = await snapshot(refConn);
        }
        const target = await createTestDatabase(dialect);
        dbs.push(target);
        const { conn } = await databaseAt(rev, target.uri);
        await upgrade(conn);
        expect(await currentRevision(conn.db)).toBe(HEAD_REVISION);
        await expectRowsKept(conn, rev);
        expect(await snapshot(conn)).toEqual(head);
      });
    }
  });
}

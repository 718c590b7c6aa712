/**
 * MLflow's initial tables (mlflow/store/tracking/dbmodels/initial_models.py, the 0.9.1 schema).
 * MLflow creates them with `create_all` before its first alembic revision, which assumes they exist;
 * mlf makes them a migration of their own so `db upgrade` works on an empty database too.
 * No alembic revision is written for this step (alembic has none).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const LIFECYCLE = ['active', 'deleted'] as const;
export const SOURCE_TYPES = ['NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT'] as const;

export const experiments0: TableSpec = {
  name: 'experiments',
  columns: [
    col('experiment_id', T.integer, { nullable: false, autoIncrement: true }),
    col('name', T.varchar(256), { nullable: false }),
    col('artifact_location', T.varchar(256)),
    col('lifecycle_stage', T.varchar(32)),
  ],
  primaryKey: { name: 'experiment_pk', columns: ['experiment_id'] },
  checks: [{ name: 'experiments_lifecycle_stage', column: 'lifecycle_stage', values: LIFECYCLE }],
  unique: [{ columns: ['name'] }],
};

/** `runs` columns as of the initial tables (status 20 wide, no deleted_time). */
export const runColumns0 = [
  col('run_uuid', T.varchar(32), { nullable: false }),
  col('name', T.varchar(250)),
  col('source_type', T.varchar(20)),
  col('source_name', T.varchar(500)),
  col('entry_point_name', T.varchar(50)),
  col('user_id', T.varchar(256)),
  col('status', T.varchar(20)),
  col('start_time', T.bigint),
  col('end_time', T.bigint),
  col('source_version', T.varchar(50)),
  col('lifecycle_stage', T.varchar(20)),
  col('artifact_uri', T.varchar(200)),
  col('experiment_id', T.integer),
];

export const runsExperimentFk = { columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'] };

export const runs0: TableSpec = {
  name: 'runs',
  columns: runColumns0,
  primaryKey: { name: 'run_pk', columns: ['run_uuid'] },
  checks: [
    { name: 'source_type', column: 'source_type', values: SOURCE_TYPES },
    { name: 'status', column: 'status', values: ['SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING'] },
    { name: 'runs_lifecycle_stage', column: 'lifecycle_stage', values: LIFECYCLE },
  ],
  foreignKeys: [runsExperimentFk],
};

export const runFk = { columns: ['run_uuid'], refTable: 'runs', refColumns: ['run_uuid'] };

export const tags0: TableSpec = {
  name: 'tags',
  columns: [col('key', T.varchar(250), { nullable: false }), col('value', T.varchar(250)), col('run_uuid', T.varchar(32), { nullable: false })],
  primaryKey: { name: 'tag_pk', columns: ['key', 'run_uuid'] },
  foreignKeys: [runFk],
};

export const metrics0: TableSpec = {
  name: 'metrics',
  columns: [
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.plainFloat, { nullable: false }),
    col('timestamp', T.bigint, { nullable: false }),
    col('run_uuid', T.varchar(32), { nullable: false }),
  ],
  primaryKey: { name: 'metric_pk', columns: ['key', 'timestamp', 'run_uuid'] },
  foreignKeys: [runFk],
};

export const params0: TableSpec = {
  name: 'params',
  columns: [
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.varchar(250), { nullable: false }),
    col('run_uuid', T.varchar(32), { nullable: false }),
  ],
  primaryKey: { name: 'param_pk', columns: ['key', 'run_uuid'] },
  foreignKeys: [runFk],
};

/** The tables this step creates: a database holding only (some of) these has no revision yet. */
export const INITIAL_TABLES = ['experiments', 'runs', 'tags', 'metrics', 'params'];

const migration: Migration = {
  revision: null,
  downRevision: null,
  slug: 'initial-tables',
  async up({ ddl }) {
    for (const t of [experiments0, runs0, tags0, metrics0, params0]) await ddl.createTable(t);
  },
};
export default migration;

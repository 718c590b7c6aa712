/**
 * 400f98739977 (MLflow 3.0): logged models and their metrics, params and tags. The first revision
 * MLflow 2.x servers cannot open: `db upgrade` asks before crossing it.
 * Followed: mlflow/mlflow @ 699a465e791d34dee0f68696c4a310a47cd67b5f.
 *
 * The metrics/params/tags FKs to experiments have no ON DELETE action (gc deletes those rows first).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

const experimentFk = (table: string, cascade = false) => ({
  name: `fk_${table}_experiment_id`,
  columns: ['experiment_id'],
  refTable: 'experiments',
  refColumns: ['experiment_id'],
  ...(cascade ? { onDelete: 'CASCADE' as const } : {}),
});

const modelFk = (table: string) => ({
  name: `fk_${table}_model_id`,
  columns: ['model_id'],
  refTable: 'logged_models',
  refColumns: ['model_id'],
  onDelete: 'CASCADE' as const,
});

export const loggedModels29: TableSpec = {
  name: 'logged_models',
  columns: [
    col('model_id', T.varchar(36), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('name', T.varchar(500), { nullable: false }),
    col('artifact_location', T.varchar(1000), { nullable: false }),
    col('creation_timestamp_ms', T.bigint, { nullable: false }),
    col('last_updated_timestamp_ms', T.bigint, { nullable: false }),
    col('status', T.integer, { nullable: false }),
    col('lifecycle_stage', T.varchar(32)),
    col('model_type', T.varchar(500)),
    col('source_run_id', T.varchar(32)),
    col('status_message', T.varchar(1000)),
  ],
  primaryKey: { name: 'logged_models_pk', columns: ['model_id'] },
  checks: [{ name: 'logged_models_lifecycle_stage_check', column: 'lifecycle_stage', values: ['active', 'deleted'] }],
  foreignKeys: [experimentFk('logged_models', true)],
};

export const loggedModelMetrics29: TableSpec = {
  name: 'logged_model_metrics',
  columns: [
    col('model_id', T.varchar(36), { nullable: false }),
    col('metric_name', T.varchar(500), { nullable: false }),
    col('metric_timestamp_ms', T.bigint, { nullable: false }),
    col('metric_step', T.bigint, { nullable: false }),
    col('metric_value', T.double),
    col('experiment_id', T.integer, { nullable: false }),
    col('run_id', T.varchar(32), { nullable: false }),
    col('dataset_uuid', T.varchar(36)),
    col('dataset_name', T.varchar(500)),
    col('dataset_digest', T.varchar(36)),
  ],
  primaryKey: { name: 'logged_model_metrics_pk', columns: ['model_id', 'metric_name', 'metric_timestamp_ms', 'metric_step', 'run_id'] },
  foreignKeys: [
    experimentFk('logged_model_metrics'),
    modelFk('logged_model_metrics'),
    { name: 'fk_logged_model_metrics_run_id', columns: ['run_id'], refTable: 'runs', refColumns: ['run_uuid'], onDelete: 'CASCADE' },
  ],
  indexes: [{ name: 'index_logged_model_metrics_model_id', columns: ['model_id'] }],
};

/** logged_model_params and logged_model_tags share a shape: a key and a TEXT value per model. */
const keyValue = (table: string, pk: string, key: string, value: string): TableSpec => ({
  name: table,
  columns: [
    col('model_id', T.varchar(36), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col(key, T.varchar(255), { nullable: false }),
    col(value, T.text, { nullable: false }),
  ],
  primaryKey: { name: pk, columns: ['model_id', key] },
  foreignKeys: [experimentFk(table), modelFk(table)],
});

export const loggedModelParams29 = keyValue('logged_model_params', 'logged_model_params_pk', 'param_key', 'param_value');
export const loggedModelTags29 = keyValue('logged_model_tags', 'logged_model_tags_pk', 'tag_key', 'tag_value');

const migration: Migration = {
  revision: '400f98739977',
  downRevision: '0584bdc529eb',
  slug: 'add-logged-model-tables',
  oneWay: 'from here on the database is at an MLflow 3 schema, which MLflow 2.x servers refuse to open',
  async up({ ddl }) {
    for (const t of [loggedModels29, loggedModelMetrics29, loggedModelParams29, loggedModelTags29]) await ddl.createTable(t);
  },
};
export default migration;

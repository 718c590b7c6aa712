/**
 * 6f8d9c3b2a1e: fk_trace_info_experiment_id is re-created ON DELETE CASCADE, so deleting an experiment
 * deletes its traces (MLflow issue #18781); SQLite rebuilds trace_info. Followed: mlflow/mlflow
 * @ 3007228b5869489683c3aa4469303b4bc4f7464b (revising a8b9c0d1e2f3); earlier drafts also cascaded the
 * logged_model_* experiment FKs, which the head does not.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const traceInfo63: TableSpec = {
  name: 'trace_info',
  columns: [
    col('request_id', T.varchar(50), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('timestamp_ms', T.bigint, { nullable: false }),
    col('execution_time_ms', T.bigint),
    col('status', T.varchar(50), { nullable: false }),
    col('client_request_id', T.varchar(50)),
    col('request_preview', T.varchar(1000)),
    col('response_preview', T.varchar(1000)),
    col('db_payload_generation', T.integer, { nullable: false, default: "'0'" }),
  ],
  primaryKey: { name: 'trace_info_pk', columns: ['request_id'] },
  foreignKeys: [
    { name: 'fk_trace_info_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'], onDelete: 'CASCADE' },
  ],
  indexes: [{ name: 'index_trace_info_experiment_id_timestamp_ms', columns: ['experiment_id', 'timestamp_ms'] }],
};

const migration: Migration = {
  revision: '6f8d9c3b2a1e',
  downRevision: 'a8b9c0d1e2f3',
  slug: 'add-experiment-fk-cascades',
  async up({ ddl }) {
    await ddl.alterTable(traceInfo63, [{ foreignKey: ['experiment_id'] }]);
  },
};
export default migration;

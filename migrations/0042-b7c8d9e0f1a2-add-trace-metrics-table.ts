/**
 * b7c8d9e0f1a2: trace_metrics, one numeric value per (trace, key), FK to trace_info ON DELETE CASCADE.
 * Followed: mlflow/mlflow @ b68b7e0826ac78c1adfcf556620fc58738f5b8bc.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const traceMetrics42: TableSpec = {
  name: 'trace_metrics',
  columns: [
    col('request_id', T.varchar(50), { nullable: false }),
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.double),
  ],
  primaryKey: { name: 'trace_metrics_pk', columns: ['request_id', 'key'] },
  foreignKeys: [
    { name: 'fk_trace_metrics_request_id', columns: ['request_id'], refTable: 'trace_info', refColumns: ['request_id'], onDelete: 'CASCADE' },
  ],
  indexes: [{ name: 'index_trace_metrics_request_id', columns: ['request_id'] }],
};

const migration: Migration = {
  revision: 'b7c8d9e0f1a2',
  downRevision: '1bd49d398cd23',
  slug: 'add-trace-metrics-table',
  async up({ ddl }) {
    await ddl.createTable(traceMetrics42);
  },
};
export default migration;

/**
 * c8d9e0f1a2b3: span_metrics, one numeric value per (span, key), FK fk_span_metrics_span to spans'
 * (trace_id, span_id) ON DELETE CASCADE; and spans.dimension_attributes, a nullable JSON column.
 * Followed: mlflow/mlflow's c8d9e0f1a2b3 migration (stored without a commit, the version revising
 * d0e1f2a3b4c5). Drafts added span_attributes or metric_metadata; MLflow's head dumps have neither.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const spanMetrics48: TableSpec = {
  name: 'span_metrics',
  columns: [
    col('trace_id', T.varchar(50), { nullable: false }),
    col('span_id', T.varchar(50), { nullable: false }),
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.double),
  ],
  primaryKey: { name: 'span_metrics_pk', columns: ['trace_id', 'span_id', 'key'] },
  foreignKeys: [
    { name: 'fk_span_metrics_span', columns: ['trace_id', 'span_id'], refTable: 'spans', refColumns: ['trace_id', 'span_id'], onDelete: 'CASCADE' },
  ],
  indexes: [{ name: 'index_span_metrics_trace_id_span_id', columns: ['trace_id', 'span_id'] }],
};

const migration: Migration = {
  revision: 'c8d9e0f1a2b3',
  downRevision: 'd0e1f2a3b4c5',
  slug: 'add-span-metrics-and-dimension-attributes',
  async up({ ddl }) {
    await ddl.createTable(spanMetrics48);
    await ddl.addColumn('spans', col('dimension_attributes', T.json));
  },
};
export default migration;

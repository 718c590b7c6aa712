/**
 * a1b2c3d4e5f6: spans, with the stored generated column duration_ns (end - start), content as
 * LONGTEXT on MySQL, an FK to trace_info ON DELETE CASCADE and one to experiments with no action
 * (gc deletes spans before experiments), and four indexes.
 * Followed: mlflow/mlflow @ 7c57f23156317b715daa24f6ad8624da6ecdbf16 (the version revising 770bee3ae1dd).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const spans34: TableSpec = {
  name: 'spans',
  columns: [
    col('trace_id', T.varchar(50), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('span_id', T.varchar(50), { nullable: false }),
    col('parent_span_id', T.varchar(50)),
    col('name', T.text),
    col('type', T.varchar(500)),
    col('status', T.varchar(50), { nullable: false }),
    col('start_time_unix_nano', T.bigint, { nullable: false }),
    col('end_time_unix_nano', T.bigint),
    col('duration_ns', T.bigint, { generated: 'end_time_unix_nano - start_time_unix_nano' }),
    col('content', T.longText, { nullable: false }),
  ],
  primaryKey: { name: 'spans_pk', columns: ['trace_id', 'span_id'] },
  foreignKeys: [
    { name: 'fk_spans_trace_id', columns: ['trace_id'], refTable: 'trace_info', refColumns: ['request_id'], onDelete: 'CASCADE' },
    { name: 'fk_spans_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'] },
  ],
  indexes: [
    { name: 'index_spans_experiment_id', columns: ['experiment_id'] },
    { name: 'index_spans_experiment_id_status_type', columns: ['experiment_id', 'status', 'type'] },
    { name: 'index_spans_experiment_id_type_status', columns: ['experiment_id', 'type', 'status'] },
    { name: 'index_spans_experiment_id_duration', columns: ['experiment_id', 'duration_ns'] },
  ],
};

const migration: Migration = {
  revision: 'a1b2c3d4e5f6',
  downRevision: '770bee3ae1dd',
  slug: 'add-spans-table',
  async up({ ddl }) {
    await ddl.createTable(spans34);
  },
};
export default migration;

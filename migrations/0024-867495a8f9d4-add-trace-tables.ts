/** 867495a8f9d4: trace_info, trace_tags and trace_request_metadata. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

/** trace_tags / trace_request_metadata; `cascade` is what 5b0e9adcef9c adds to the FK. */
export const traceChild = (name: string, pk: string, cascade: boolean): TableSpec => ({
  name,
  columns: [
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.varchar(8000)),
    col('request_id', T.varchar(50), { nullable: false }),
  ],
  primaryKey: { name: pk, columns: ['key', 'request_id'] },
  foreignKeys: [
    {
      name: `fk_${name}_request_id`,
      columns: ['request_id'],
      refTable: 'trace_info',
      refColumns: ['request_id'],
      ...(cascade ? { onDelete: 'CASCADE' as const } : {}),
    },
  ],
  indexes: [{ name: `index_${name}_request_id`, columns: ['request_id'] }],
});

const migration: Migration = {
  revision: '867495a8f9d4',
  downRevision: 'acf3f17fdcc7',
  slug: 'add-trace-tables',
  async up({ ddl }) {
    await ddl.createTable({
      name: 'trace_info',
      columns: [
        col('request_id', T.varchar(50), { nullable: false }),
        col('experiment_id', T.integer, { nullable: false }),
        col('timestamp_ms', T.bigint, { nullable: false }),
        col('execution_time_ms', T.bigint),
        col('status', T.varchar(50), { nullable: false }),
      ],
      primaryKey: { name: 'trace_info_pk', columns: ['request_id'] },
      foreignKeys: [{ name: 'fk_trace_info_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'] }],
      indexes: [{ name: 'index_trace_info_experiment_id_timestamp_ms', columns: ['experiment_id', 'timestamp_ms'] }],
    });
    await ddl.createTable(traceChild('trace_tags', 'trace_tag_pk', false));
    await ddl.createTable(traceChild('trace_request_metadata', 'trace_request_metadata_pk', false));
  },
};
export default migration;

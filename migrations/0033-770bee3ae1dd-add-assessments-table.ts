/**
 * 770bee3ae1dd: assessments of traces (FK to trace_info ON DELETE CASCADE; run_id has no FK) and its
 * four indexes. `valid` is a plain BOOLEAN: SQLAlchemy 2 adds no CHECK, and its default is client-side.
 * Followed: mlflow/mlflow @ 449f48edc011007e7a505147a9b6ddfc5758f208.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const assessments33: TableSpec = {
  name: 'assessments',
  columns: [
    col('assessment_id', T.varchar(50), { nullable: false }),
    col('trace_id', T.varchar(50), { nullable: false }),
    col('name', T.varchar(250), { nullable: false }),
    col('assessment_type', T.varchar(20), { nullable: false }),
    col('value', T.text, { nullable: false }),
    col('error', T.text),
    col('created_timestamp', T.bigint, { nullable: false }),
    col('last_updated_timestamp', T.bigint, { nullable: false }),
    col('source_type', T.varchar(50), { nullable: false }),
    col('source_id', T.varchar(250)),
    col('run_id', T.varchar(32)),
    col('span_id', T.varchar(50)),
    col('rationale', T.text),
    col('overrides', T.varchar(50)),
    col('valid', T.boolean, { nullable: false }),
    col('assessment_metadata', T.text),
  ],
  primaryKey: { name: 'assessments_pk', columns: ['assessment_id'] },
  foreignKeys: [
    { name: 'fk_assessments_trace_id', columns: ['trace_id'], refTable: 'trace_info', refColumns: ['request_id'], onDelete: 'CASCADE' },
  ],
  indexes: [
    { name: 'index_assessments_trace_id_created_timestamp', columns: ['trace_id', 'created_timestamp'] },
    { name: 'index_assessments_run_id_created_timestamp', columns: ['run_id', 'created_timestamp'] },
    { name: 'index_assessments_last_updated_timestamp', columns: ['last_updated_timestamp'] },
    { name: 'index_assessments_assessment_type', columns: ['assessment_type'] },
  ],
};

const migration: Migration = {
  revision: '770bee3ae1dd',
  downRevision: 'cbc13b556ace',
  slug: 'add-assessments-table',
  async up({ ddl }) {
    await ddl.createTable(assessments33);
  },
};
export default migration;

/**
 * 76601a5f987d: issues, owned by an experiment (ON DELETE CASCADE); `source_run_id` points at a run
 * and becomes NULL when the run goes (ON DELETE SET NULL). Followed: the version of the file whose
 * columns match MLflow's head dumps (severity, root_causes, source_run_id, categories; status with no
 * server default). The version @ 716d91b05cb8c0bcd506706c19d26c694072b07d is an earlier draft (run_id
 * with CASCADE, frequency, confidence, ...) that no later revision converts, so it is not the chain's.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const issues51: TableSpec = {
  name: 'issues',
  columns: [
    col('issue_id', T.varchar(36), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('name', T.varchar(250), { nullable: false }),
    col('description', T.text, { nullable: false }),
    col('status', T.varchar(50), { nullable: false }),
    col('severity', T.varchar(50)),
    col('root_causes', T.text),
    col('source_run_id', T.varchar(32)),
    col('categories', T.text),
    col('created_timestamp', T.bigint, { nullable: false }),
    col('last_updated_timestamp', T.bigint, { nullable: false }),
    col('created_by', T.varchar(255)),
  ],
  primaryKey: { name: 'issues_pk', columns: ['issue_id'] },
  foreignKeys: [
    { name: 'fk_issues_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'], onDelete: 'CASCADE' },
    { name: 'fk_issues_source_run_id', columns: ['source_run_id'], refTable: 'runs', refColumns: ['run_uuid'], onDelete: 'SET NULL' },
  ],
  indexes: [
    { name: 'index_issues_experiment_id', columns: ['experiment_id'] },
    { name: 'index_issues_source_run_id', columns: ['source_run_id'] },
    { name: 'index_issues_status', columns: ['status'] },
  ],
};

const migration: Migration = {
  revision: '76601a5f987d',
  downRevision: 'e1f2a3b4c5d6',
  slug: 'add-issues-table',
  async up({ ddl }) {
    await ddl.createTable(issues51);
  },
};
export default migration;

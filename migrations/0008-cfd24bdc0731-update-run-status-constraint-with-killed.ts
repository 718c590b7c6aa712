/**
 * cfd24bdc0731: runs.status becomes a non-native Enum with KILLED: VARCHAR(9) and a new CHECK,
 * replacing the initial CHECK named `status`.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { runs0 } from './0000-initial-tables.js';

export const RUN_STATUSES = ['SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED'] as const;

export const runs8: TableSpec = {
  ...runs0,
  columns: runs0.columns.map((c) => (c.name === 'status' ? col('status', T.varchar(9)) : c)),
  checks: [
    ...runs0.checks!.filter((c) => c.column !== 'status'),
    // Unnamed in MLflow: PostgreSQL calls it runs_status_check, MariaDB CONSTRAINT_n.
    { column: 'status', values: RUN_STATUSES },
  ],
};

const migration: Migration = {
  revision: 'cfd24bdc0731',
  downRevision: '2b4d017a5e9b',
  slug: 'update-run-status-constraint-with-killed',
  async up({ ddl }) {
    await ddl.alterTable(runs8, [{ dropCheck: 'status' }, { column: 'status' }, { check: 'status' }]);
  },
};
export default migration;

/**
 * c3d6457b6d8a: jobs.status_details, a nullable JSON column (NVARCHAR(max) on SQL Server).
 * Followed: mlflow/mlflow @ de320737bc52ff273ae28d996f74b0485daf6b36.
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'c3d6457b6d8a',
  downRevision: '76601a5f987d',
  slug: 'add-status-details-column-to-jobs-table',
  async up({ ddl }) {
    await ddl.addColumn('jobs', col('status_details', T.json));
  },
};
export default migration;

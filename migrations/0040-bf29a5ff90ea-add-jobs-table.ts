/**
 * bf29a5ff90ea: jobs, MLflow's queue of server-side jobs. Its time and retry defaults are
 * client-side in MLflow (no server default). 5d2d30f0abce renames function_fullname to job_name.
 * Followed: mlflow/mlflow @ cada9caec9ce7df9d3d1882d60153b44856e78ab.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const jobs40: TableSpec = {
  name: 'jobs',
  columns: [
    col('id', T.varchar(36), { nullable: false }),
    col('creation_time', T.bigint, { nullable: false }),
    col('function_fullname', T.varchar(500), { nullable: false }),
    col('params', T.text, { nullable: false }),
    col('timeout', T.double),
    col('status', T.integer, { nullable: false }),
    col('result', T.text),
    col('retry_count', T.integer, { nullable: false }),
    col('last_update_time', T.bigint, { nullable: false }),
  ],
  primaryKey: { name: 'jobs_pk', columns: ['id'] },
  indexes: [{ name: 'index_jobs_function_status_creation_time', columns: ['function_fullname', 'status', 'creation_time'] }],
};

const migration: Migration = {
  revision: 'bf29a5ff90ea',
  downRevision: '3da73c924c2f',
  slug: 'add-jobs-table',
  async up({ ddl }) {
    await ddl.createTable(jobs40);
  },
};
export default migration;

/**
 * 5d2d30f0abce: jobs.function_fullname is renamed job_name, and its index is replaced by
 * index_jobs_name_status_creation_time. MLflow renames without `existing_nullable`, so on MySQL
 * (where a rename restates the column) job_name comes out nullable, as MLflow's head MySQL dump
 * shows; it stays NOT NULL on the other dialects. mlf reproduces both (DdlTraits.renameColumn).
 * Followed: mlflow/mlflow @ 96ee0487202882262b5c4cd0aa97c3b9f858f8b1.
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '5d2d30f0abce',
  downRevision: 'b7c8d9e0f1a2',
  slug: 'update-job-table',
  async up({ ddl }) {
    await ddl.dropIndex('jobs', 'index_jobs_function_status_creation_time');
    await ddl.renameColumn('jobs', 'function_fullname', col('job_name', T.varchar(500), { nullable: false }));
    await ddl.createIndex('jobs', { name: 'index_jobs_name_status_creation_time', columns: ['job_name', 'status', 'creation_time'] });
  },
};
export default migration;

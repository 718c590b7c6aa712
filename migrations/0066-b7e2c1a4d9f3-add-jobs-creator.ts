/**
 * b7e2c1a4d9f3: jobs.creator VARCHAR(255) NULL. Followed: the mlflow/mlflow version revising
 * 17e22815139b (the one @ 865fa0d706461dc74aff55c1f1d6c80661c954ae revises 6f8d9c3b2a1e, a pre-rebase
 * draft that would leave two heads).
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'b7e2c1a4d9f3',
  downRevision: '17e22815139b',
  slug: 'add-jobs-creator',
  async up({ ddl }) {
    await ddl.addColumn('jobs', col('creator', T.varchar(255)));
  },
};
export default migration;

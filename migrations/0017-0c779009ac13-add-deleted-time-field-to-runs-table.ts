/** 0c779009ac13: runs.deleted_time (NULL for runs deleted before it, as in MLflow). */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '0c779009ac13',
  downRevision: 'bd07f7e963c5',
  slug: 'add-deleted-time-field-to-runs-table',
  async up({ ddl }) {
    await ddl.addColumn('runs', col('deleted_time', T.bigint));
  },
};
export default migration;

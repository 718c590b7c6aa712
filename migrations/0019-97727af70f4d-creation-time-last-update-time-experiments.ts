/** 97727af70f4d: experiments.creation_time and last_update_time (nullable, not backfilled). */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '97727af70f4d',
  downRevision: 'cc1f77228345',
  slug: 'creation-time-last-update-time-experiments',
  async up({ ddl }) {
    await ddl.addColumn('experiments', col('creation_time', T.bigint));
    await ddl.addColumn('experiments', col('last_update_time', T.bigint));
  },
};
export default migration;

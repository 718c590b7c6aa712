/** 84291f40a231: model_versions.run_link. */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

export const runLink = col('run_link', T.varchar(500));

const migration: Migration = {
  revision: '84291f40a231',
  downRevision: '27a6a02d2cf1',
  slug: 'add-run-link-to-model-version',
  async up({ ddl }) {
    await ddl.addColumn('model_versions', runLink);
  },
};
export default migration;

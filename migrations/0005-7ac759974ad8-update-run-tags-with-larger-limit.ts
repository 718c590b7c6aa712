/** 7ac759974ad8: tags.value 250 → 5000. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { tags0 } from './0000-initial-tables.js';

export const tags5: TableSpec = {
  ...tags0,
  columns: tags0.columns.map((c) => (c.name === 'value' ? col('value', T.varchar(5000)) : c)),
};

const migration: Migration = {
  revision: '7ac759974ad8',
  downRevision: 'df50e92ffc5e',
  slug: 'update-run-tags-with-larger-limit',
  async up({ ddl }) {
    await ddl.alterTable(tags5, [{ column: 'value' }]);
  },
};
export default migration;

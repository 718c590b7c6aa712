/** f5a4f2784254: tags.value 5000 → 8000. MLflow 2.17's head. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { tags0 } from './0000-initial-tables.js';

export const tags27: TableSpec = {
  ...tags0,
  columns: tags0.columns.map((c) => (c.name === 'value' ? col('value', T.varchar(8000)) : c)),
};

const migration: Migration = {
  revision: 'f5a4f2784254',
  downRevision: '4465047574b1',
  slug: 'increase-run-tag-value-limit',
  async up({ ddl }) {
    await ddl.alterTable(tags27, [{ column: 'value' }]);
  },
};
export default migration;

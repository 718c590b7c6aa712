/** cc1f77228345: params.value 250 → 500. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { params0 } from './0000-initial-tables.js';

export const paramsWithValue = (n: number): TableSpec => ({
  ...params0,
  columns: params0.columns.map((c) => (c.name === 'value' ? col('value', T.varchar(n), { nullable: false }) : c)),
});

const migration: Migration = {
  revision: 'cc1f77228345',
  downRevision: '0c779009ac13',
  slug: 'change-param-value-length-to-500',
  async up({ ddl }) {
    await ddl.alterTable(paramsWithValue(500), [{ column: 'value' }]);
  },
};
export default migration;

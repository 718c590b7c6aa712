/**
 * 2d6e25af4d3e: params.value VARCHAR(500) → VARCHAR(8000). One way: once a value longer than 500 is
 * logged it cannot go back, and MLflow has no downgrade for it; `db upgrade` asks about a backup.
 */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';
import { paramsWithValue } from './0018-cc1f77228345-change-param-value-length-to-500.js';

const migration: Migration = {
  revision: '2d6e25af4d3e',
  downRevision: '7f2a7d5fae7d',
  slug: 'increase-max-param-val-length',
  oneWay: 'params.value grows from VARCHAR(500) to VARCHAR(8000); MLflow has no downgrade, and longer values could not fit back',
  async up({ ddl }) {
    await ddl.alterTable(paramsWithValue(8000), [{ column: 'value' }]);
  },
};
export default migration;

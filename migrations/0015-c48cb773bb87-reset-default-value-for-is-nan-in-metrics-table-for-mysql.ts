/**
 * c48cb773bb87: metrics.is_nan gets its DEFAULT '0' back. MLflow runs it on MySQL only, where its
 * 39d1c3be5f05 dropped the default; mlf never drops it, so this checks the catalog and only acts on
 * a database that MLflow brought to 39d1c3be5f05. (MLflow's step also adds a second, identical
 * is_nan CHECK on MySQL; mlf does not duplicate it.)
 */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';
import { metrics14 } from './0014-39d1c3be5f05-add-is-nan-constraint-for-metrics-tables-if-necessary.js';

const migration: Migration = {
  revision: 'c48cb773bb87',
  downRevision: '39d1c3be5f05',
  slug: 'reset-default-value-for-is-nan-in-metrics-table-for-mysql',
  async up({ ddl }) {
    await ddl.alterTable(metrics14, [{ column: 'is_nan' }]);
  },
};
export default migration;

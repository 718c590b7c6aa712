/**
 * 39d1c3be5f05: the boolean CHECK (is_nan IN (0, 1)) on latest_metrics and metrics, where booleans
 * are integers (SQLite, MySQL); nothing to do where booleans are native.
 */
import { type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { metrics3 } from './0003-181f10493468-allow-nulls-for-metric-values.js';
import { latestMetrics6 } from './0006-89d4b8295536-create-latest-metrics-table.js';

const withBoolCheck = (t: TableSpec): TableSpec => ({
  ...t,
  columns: t.columns.map((c) => (c.name === 'is_nan' ? { ...c, booleanCheck: true } : c)),
});
export const latestMetrics14 = withBoolCheck(latestMetrics6);
export const metrics14 = withBoolCheck(metrics3);

const migration: Migration = {
  revision: '39d1c3be5f05',
  downRevision: 'a8c4a736bde6',
  slug: 'add-is-nan-constraint-for-metrics-tables-if-necessary',
  async up({ ddl }) {
    await ddl.alterTable(latestMetrics14, [{ booleanCheck: 'is_nan' }]);
    await ddl.alterTable(metrics14, [{ booleanCheck: 'is_nan' }]);
  },
};
export default migration;

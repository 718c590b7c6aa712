/** 181f10493468: metrics.value becomes Float(53); new is_nan BOOLEAN NOT NULL DEFAULT '0' joins the key. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { metrics1 } from './0001-451aebb31d03-add-metric-step.js';

export const metrics3: TableSpec = {
  ...metrics1,
  columns: [
    ...metrics1.columns.map((c) => (c.name === 'value' ? col('value', T.double, { nullable: false }) : c)),
    col('is_nan', T.boolean, { nullable: false, default: "'0'" }),
  ],
  primaryKey: { name: 'metric_pk', columns: ['key', 'timestamp', 'step', 'run_uuid', 'value', 'is_nan'] },
};

const migration: Migration = {
  revision: '181f10493468',
  downRevision: '90e64c465722',
  slug: 'allow-nulls-for-metric-values',
  async up({ ddl }) {
    await ddl.alterTable(metrics3, [{ column: 'value' }, { column: 'is_nan' }, { primaryKey: true }]);
  },
};
export default migration;

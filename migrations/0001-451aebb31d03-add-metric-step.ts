/** 451aebb31d03: metrics.step BIGINT NOT NULL DEFAULT '0', and step joins the metric primary key. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { metrics0 } from './0000-initial-tables.js';

export const metrics1: TableSpec = {
  ...metrics0,
  columns: [...metrics0.columns, col('step', T.bigint, { nullable: false, default: "'0'" })],
  primaryKey: { name: 'metric_pk', columns: ['key', 'timestamp', 'step', 'run_uuid', 'value'] },
};

const migration: Migration = {
  revision: '451aebb31d03',
  downRevision: null,
  slug: 'add-metric-step',
  async up({ ddl }) {
    await ddl.alterTable(metrics1, [{ column: 'step' }, { primaryKey: true }]);
  },
};
export default migration;

/**
 * d0e1f2a3b4c5: endpoints.experiment_id (FK fk_endpoints_experiment_id to experiments ON DELETE SET
 * NULL: purging an experiment detaches its endpoints) and usage_tracking (BOOLEAN NOT NULL, server
 * default 0, no CHECK: SQLAlchemy 2's Boolean adds none). Adding an FK makes SQLite rebuild the table.
 * Followed: mlflow/mlflow's d0e1f2a3b4c5 migration (stored without a commit, the version revising
 * d3e4f5a6b7c8; an older draft revised 2c33131f4dae).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { endpoints41 } from './0041-1bd49d398cd23-add-secrets-tables.js';

/** endpoints as c9d4e5f6a7b8 left it, plus this revision's columns and FK. */
export const endpoints47: TableSpec = {
  ...endpoints41,
  columns: [
    ...endpoints41.columns,
    col('routing_strategy', T.varchar(64)),
    col('fallback_config_json', T.text),
    col('experiment_id', T.integer),
    col('usage_tracking', T.boolean, { nullable: false, default: "'0'" }),
  ],
  foreignKeys: [
    { name: 'fk_endpoints_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'], onDelete: 'SET NULL' },
  ],
};

const migration: Migration = {
  revision: 'd0e1f2a3b4c5',
  downRevision: 'd3e4f5a6b7c8',
  slug: 'add-experiment-id-and-usage-tracking-to-endpoints',
  async up({ ddl }) {
    await ddl.alterTable(endpoints47, [{ column: 'experiment_id' }, { column: 'usage_tracking' }, { foreignKey: ['experiment_id'] }]);
  },
};
export default migration;

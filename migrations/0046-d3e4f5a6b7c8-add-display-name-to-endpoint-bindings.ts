/**
 * d3e4f5a6b7c8: endpoint_bindings.display_name, a nullable VARCHAR(255).
 * Followed: mlflow/mlflow's d3e4f5a6b7c8 migration (stored without a commit, revising 2c33131f4dae;
 * Create Date 2026-01-21).
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'd3e4f5a6b7c8',
  downRevision: '2c33131f4dae',
  slug: 'add-display-name-to-endpoint-bindings',
  async up({ ddl }) {
    await ddl.addColumn('endpoint_bindings', col('display_name', T.varchar(255)));
  },
};
export default migration;

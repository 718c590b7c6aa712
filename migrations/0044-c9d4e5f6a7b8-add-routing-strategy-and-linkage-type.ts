/**
 * c9d4e5f6a7b8: endpoints get routing_strategy and fallback_config_json; endpoint_model_mappings get
 * linkage_type (NOT NULL, server default 'PRIMARY') and fallback_order, and their UNIQUE index
 * moves from (endpoint_id, model_definition_id) to (endpoint_id, model_definition_id, linkage_type).
 * Plain ADDs on every dialect: alembic's batch mode on SQLite adds columns with a literal default
 * without rebuilding the table.
 * Followed: mlflow/mlflow's c9d4e5f6a7b8 migration (stored without a commit, the version revising
 * 5d2d30f0abce; Create Date 2025-12-18).
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'c9d4e5f6a7b8',
  downRevision: '5d2d30f0abce',
  slug: 'add-routing-strategy-and-linkage-type',
  async up({ ddl }) {
    await ddl.addColumn('endpoints', col('routing_strategy', T.varchar(64)));
    await ddl.addColumn('endpoints', col('fallback_config_json', T.text));
    await ddl.addColumn('endpoint_model_mappings', col('linkage_type', T.varchar(64), { nullable: false, default: "'PRIMARY'" }));
    await ddl.addColumn('endpoint_model_mappings', col('fallback_order', T.integer));
    await ddl.dropIndex('endpoint_model_mappings', 'unique_endpoint_model_mapping');
    await ddl.createIndex('endpoint_model_mappings', {
      name: 'unique_endpoint_model_linkage_mapping',
      columns: ['endpoint_id', 'model_definition_id', 'linkage_type'],
      unique: true,
    });
  },
};
export default migration;

/**
 * 7d34483879f0: indexes that let the registry's tag loads use the workspace-led keys of 1b5f0d9ad7c1:
 * model_version_tags (workspace, name, version) and registered_model_tags (workspace, name).
 * Followed: mlflow/mlflow @ 71fc63d47daba2eb88f183d32fb32c587a99a6f5 (both indexes; MLflow's SQLite
 * head dump has both).
 */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '7d34483879f0',
  downRevision: 'ae8bbe7743c9',
  slug: 'add-model-version-tags-workspace-index',
  async up({ ddl }) {
    await ddl.createIndex('model_version_tags', { name: 'idx_model_version_tags_workspace_name_version', columns: ['workspace', 'name', 'version'] });
    await ddl.createIndex('registered_model_tags', { name: 'idx_registered_model_tags_workspace_name', columns: ['workspace', 'name'] });
  },
};
export default migration;

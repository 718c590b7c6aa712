/**
 * bda7b8c39065: model_version_tags.value VARCHAR(5000) → TEXT (VARCHAR(max) on SQL Server); SQLite
 * rebuilds the table. Followed: mlflow/mlflow @ 261d8fe4d2545a729c7736c5040ee79dd9d88a52.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { modelVersionTags11 } from './0011-27a6a02d2cf1-add-model-version-tags-table.js';

export const modelVersionTags31: TableSpec = {
  ...modelVersionTags11,
  columns: modelVersionTags11.columns.map((c) => (c.name === 'value' ? col('value', T.text) : c)),
};

const migration: Migration = {
  revision: 'bda7b8c39065',
  downRevision: '6953534de441',
  slug: 'increase-model-version-tag-value-limit',
  async up({ ddl }) {
    await ddl.alterTable(modelVersionTags31, [{ column: 'value' }]);
  },
};
export default migration;

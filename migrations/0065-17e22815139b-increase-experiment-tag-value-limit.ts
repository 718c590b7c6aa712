/**
 * 17e22815139b: experiment_tags.value VARCHAR(5000) → TEXT (MEDIUMTEXT on MySQL, NVARCHAR(max) on SQL
 * Server), for MLflow 3's 20,000-character experiment tag values; SQLite rebuilds the table.
 * Followed: mlflow/mlflow @ 6d50abef1648f8e8457f7a89669327084fc52ec3.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const experimentTags65: TableSpec = {
  name: 'experiment_tags',
  columns: [col('key', T.varchar(250), { nullable: false }), col('value', T.unicodeText), col('experiment_id', T.integer, { nullable: false })],
  primaryKey: { name: 'experiment_tag_pk', columns: ['key', 'experiment_id'] },
  foreignKeys: [{ columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'] }],
};

const migration: Migration = {
  revision: '17e22815139b',
  downRevision: '1971f2d9a75b',
  slug: 'increase-experiment-tag-value-limit',
  async up({ ddl }) {
    await ddl.alterTable(experimentTags65, [{ column: 'value' }]);
  },
};
export default migration;

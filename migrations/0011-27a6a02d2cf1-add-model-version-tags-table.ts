/** 27a6a02d2cf1: model_version_tags. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const modelVersionTags11: TableSpec = {
  name: 'model_version_tags',
  columns: [
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.varchar(5000)),
    col('name', T.varchar(256), { nullable: false }),
    col('version', T.integer, { nullable: false }),
  ],
  primaryKey: { name: 'model_version_tag_pk', columns: ['key', 'name', 'version'] },
  foreignKeys: [{ columns: ['name', 'version'], refTable: 'model_versions', refColumns: ['name', 'version'], onUpdate: 'CASCADE' }],
};

const migration: Migration = {
  revision: '27a6a02d2cf1',
  downRevision: '728d730b5ebd',
  slug: 'add-model-version-tags-table',
  async up({ ddl }) {
    await ddl.createTable(modelVersionTags11);
  },
};
export default migration;

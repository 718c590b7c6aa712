/** 728d730b5ebd: registered_model_tags. */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '728d730b5ebd',
  downRevision: '0a8213491aaa',
  slug: 'add-registered-model-tags-table',
  async up({ ddl }) {
    await ddl.createTable({
      name: 'registered_model_tags',
      columns: [col('key', T.varchar(250), { nullable: false }), col('value', T.varchar(5000)), col('name', T.varchar(256), { nullable: false })],
      primaryKey: { name: 'registered_model_tag_pk', columns: ['key', 'name'] },
      foreignKeys: [{ columns: ['name'], refTable: 'registered_models', refColumns: ['name'], onUpdate: 'CASCADE' }],
    });
  },
};
export default migration;

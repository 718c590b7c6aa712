/** 3500859a5d39: registered_model_aliases (MLflow creates it only if missing; so does createTable). */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '3500859a5d39',
  downRevision: '97727af70f4d',
  slug: 'add-model-aliases-table',
  async up({ ddl }) {
    await ddl.createTable({
      name: 'registered_model_aliases',
      columns: [
        col('alias', T.varchar(256), { nullable: false }),
        col('version', T.integer, { nullable: false }),
        col('name', T.varchar(256), { nullable: false }),
      ],
      primaryKey: { name: 'registered_model_alias_pk', columns: ['name', 'alias'] },
      foreignKeys: [
        {
          name: 'registered_model_alias_name_fkey',
          columns: ['name'],
          refTable: 'registered_models',
          refColumns: ['name'],
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
      ],
    });
  },
};
export default migration;

/** 2b4d017a5e9b: registered_models and model_versions. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const modelVersions7: TableSpec = {
  name: 'model_versions',
  columns: [
    col('name', T.varchar(256), { nullable: false }),
    col('version', T.integer, { nullable: false }),
    col('creation_time', T.bigint),
    col('last_updated_time', T.bigint),
    col('description', T.varchar(5000)),
    col('user_id', T.varchar(256)),
    col('current_stage', T.varchar(20)),
    col('source', T.varchar(500)),
    col('run_id', T.varchar(32), { nullable: false }),
    col('status', T.varchar(20)),
    col('status_message', T.varchar(500)),
  ],
  primaryKey: { name: 'model_version_pk', columns: ['name', 'version'] },
  foreignKeys: [{ columns: ['name'], refTable: 'registered_models', refColumns: ['name'], onUpdate: 'CASCADE' }],
};

const migration: Migration = {
  revision: '2b4d017a5e9b',
  downRevision: '89d4b8295536',
  slug: 'add-model-registry-tables-to-db',
  async up({ ddl }) {
    await ddl.createTable({
      name: 'registered_models',
      columns: [
        col('name', T.varchar(256), { nullable: false }),
        col('creation_time', T.bigint),
        col('last_updated_time', T.bigint),
        col('description', T.varchar(5000)),
      ],
      primaryKey: { name: 'registered_model_pk', columns: ['name'] },
      unique: [{ columns: ['name'] }],
    });
    await ddl.createTable(modelVersions7);
  },
};
export default migration;

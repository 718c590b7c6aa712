/** acf3f17fdcc7: model_versions.storage_location. */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'acf3f17fdcc7',
  downRevision: '2d6e25af4d3e',
  slug: 'add-storage-location-field-to-model',
  async up({ ddl }) {
    await ddl.addColumn('model_versions', col('storage_location', T.varchar(500)));
  },
};
export default migration;

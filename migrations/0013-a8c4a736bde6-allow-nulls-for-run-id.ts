/** a8c4a736bde6: model_versions.run_id becomes nullable. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { modelVersions7 } from './0007-2b4d017a5e9b-add-model-registry-tables-to-db.js';
import { runLink } from './0012-84291f40a231-add-run-link-to-model-version.js';

export const modelVersions13: TableSpec = {
  ...modelVersions7,
  columns: [...modelVersions7.columns.map((c) => (c.name === 'run_id' ? col('run_id', T.varchar(32)) : c)), runLink],
};

const migration: Migration = {
  revision: 'a8c4a736bde6',
  downRevision: '84291f40a231',
  slug: 'allow-nulls-for-run-id',
  async up({ ddl }) {
    await ddl.alterTable(modelVersions13, [{ column: 'run_id' }]);
  },
};
export default migration;

/** bd07f7e963c5: an index on run_uuid in params, metrics, latest_metrics and tags. */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'bd07f7e963c5',
  downRevision: 'c48cb773bb87',
  slug: 'create-index-on-run-uuid',
  async up({ ddl }) {
    for (const table of ['params', 'metrics', 'latest_metrics', 'tags']) {
      await ddl.createIndex(table, { name: `index_${table}_run_uuid`, columns: ['run_uuid'] });
    }
  },
};
export default migration;

/**
 * da6fb0208061: trace_info.db_payload_generation (INTEGER NOT NULL DEFAULT '0') and the workspaces
 * catalog's trace_archival_location / trace_archival_retention. Plain ADD COLUMN everywhere (MLflow's
 * SQLite batch adds columns without rebuilding). Followed: mlflow/mlflow file with this revision
 * revising 7d34483879f0 (it supersedes the draft b8c9d0e1f2a3).
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'da6fb0208061',
  downRevision: '7d34483879f0',
  slug: 'add-trace-archival-workspace-columns',
  async up({ ddl }) {
    await ddl.addColumn('trace_info', col('db_payload_generation', T.integer, { nullable: false, default: "'0'" }));
    await ddl.addColumn('workspaces', col('trace_archival_location', T.text));
    await ddl.addColumn('workspaces', col('trace_archival_retention', T.varchar(32)));
  },
};
export default migration;

/**
 * MLflow's schema for the SQL store: check it, upgrade it, report it.
 *
 * @example
 * import { ensureSchema } from './migrate/index.js';
 * await ensureSchema(conn); // creates an empty database at head, throws if out of date
 */
export {
  HEAD_REVISION,
  OLDEST_OPEN_REVISION,
  MLFLOW_TABLES,
  currentRevision,
  ensureSchema,
  upgrade,
  schemaStatus,
  migrationLabel,
  pendingFrom,
  resolveTarget,
  oneWayNotes,
  storesOpen,
} from './runner.js';
export { MLFLOW_REVISIONS, LAST_MLFLOW_2_REVISION, releasesOf, headOfRelease } from './revisions.js';
export type { UpgradeOptions, UpgradeResult, SchemaStatus } from './runner.js';
export type { Migration } from './ddl.js';

/**
 * mlf as a library: the same store access the CLI and the server use, for TypeScript code.
 * Importing this loads no database driver; `openTrackingStore` loads the one a URI needs.
 *
 * @example
 * import { openTrackingStore, setTrackingUri } from 'mlf';
 * setTrackingUri('sqlite:///mlflow.db');
 * const store = await openTrackingStore();
 * const run = await store.createRun({ experimentId: '0', startTime: Date.now() });
 * await store.logBatch(run.info.runId, { params: [{ key: 'lr', value: '0.01' }] });
 * await store.close();
 */
export { getTrackingUri, maskUri, parseStoreUri, setTrackingUri, DEFAULT_TRACKING_URI } from './tracking/uri.js';
export type { StoreUri, FileStoreUri, SqlStoreUri, RestStoreUri, DatabricksStoreUri, SqlDialectName } from './tracking/uri.js';
export { openTrackingStore, type OpenStoreOptions } from './stores/open-store.js';
export type {
  BulkIntervalOptions,
  CreateExperimentOptions,
  CreateRunOptions,
  LogBatch,
  PurgeResult,
  SearchExperimentsOptions,
  SearchRunsOptions,
  TrackingStore,
  UpdateRunOptions,
} from './stores/tracking-store.js';
export { MlfError, isMlfError, httpStatusFor, type ErrorCode, type ExitCode } from './lib/errors.js';
export * from './tracking/entities.js';
export {
  experimentFromJson,
  experimentToJson,
  metricToJson,
  runFromJson,
  runInfoToJson,
  runToJson,
} from './tracking/rest-json.js';
// What `mlf runs log` does, for code that wants the same checks and one-transaction writes.
export { logRun, prepareRunLog, runLogInputFromArgs, type RunLogInput, type RunLogPlan, type RunLogArgs } from './cli/log-run.js';
export { splitBatch } from './cli/batch.js';
export { sourceTags } from './cli/source-tags.js';

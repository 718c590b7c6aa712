/**
 * The Model Registry needs a database: MLflow's file-based registry (`mlruns/models/`) is not
 * served by mlf, and the file store leaves that folder alone.
 */
import { MlfError } from '../../lib/errors.js';

/** Throws `FEATURE_DISABLED`: callers (server routes, CLI) use it for any registry call on a file store. */
export function assertRegistrySupported(): never {
  throw new MlfError(
    'Model Registry is not supported on a file store: it needs a database-backed store (sqlite:, postgresql:, mysql:, mssql:). Point --backend-store-uri (or MLFLOW_TRACKING_URI) at a database, e.g. sqlite:///mlflow.db.',
    'FEATURE_DISABLED',
  );
}

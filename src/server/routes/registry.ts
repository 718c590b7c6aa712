/**
 * Model Registry endpoints (`ModelRegistryService`). On a file store they answer MLflow's
 * "registry unavailable" error (FEATURE_DISABLED): the registry needs a database-backed store.
 * On a database store the registry is not built yet (its own issue), so the paths are left unrouted
 * and answer ENDPOINT_NOT_FOUND like any unknown path.
 */
import { MlfError } from '../../lib/errors.js';
import type { RouteTable } from './tracking.js';

/** [path after `/mlflow`, methods] as in model_registry.proto. */
export const REGISTRY_ENDPOINTS: readonly [string, string[]][] = [
  ['/registered-models/create', ['POST']],
  ['/registered-models/rename', ['POST']],
  ['/registered-models/update', ['PATCH']],
  ['/registered-models/delete', ['DELETE']],
  ['/registered-models/get', ['GET']],
  ['/registered-models/search', ['GET']],
  ['/registered-models/get-latest-versions', ['POST', 'GET']],
  ['/registered-models/set-tag', ['POST']],
  ['/registered-models/delete-tag', ['DELETE']],
  ['/registered-models/alias', ['POST', 'DELETE', 'GET']],
  ['/model-versions/create', ['POST']],
  ['/model-versions/update', ['PATCH']],
  ['/model-versions/transition-stage', ['POST']],
  ['/model-versions/delete', ['DELETE']],
  ['/model-versions/get', ['GET']],
  ['/model-versions/search', ['GET']],
  ['/model-versions/get-download-uri', ['GET']],
  ['/model-versions/set-tag', ['POST']],
  ['/model-versions/delete-tag', ['DELETE']],
];

/** Adds the registry endpoints to `table` when the registry store is a file store. */
export function addFileStoreRegistryRoutes(table: RouteTable, registryUri: string): void {
  const refuse = async (): Promise<never> => {
    throw new MlfError(
      `Model Registry functionality is unavailable; got unsupported URI '${registryUri}' for model registry data storage. The Model Registry needs a database-backed store (sqlite, postgresql, mysql or mssql). See https://mlflow.org/docs/latest/tracking.html#storage for how to run an MLflow server against one of the supported backend storage locations.`,
      'FEATURE_DISABLED',
    );
  };
  for (const [p, methods] of REGISTRY_ENDPOINTS) {
    const e = table.get(p) ?? {};
    for (const m of methods) e[m] = refuse;
    table.set(p, e);
  }
}

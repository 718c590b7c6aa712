/**
 * The Model Registry behind a tracking store, for `mlf models` and `models:/` URIs: on a database
 * the registry shares the store's connection; over HTTP it shares the store's client
 * (src/stores/rest/rest-registry-store.ts); a file store has none (FEATURE_DISABLED, as mlf's
 * server answers). Closing the tracking store closes what the registry uses.
 */
import type { CreateModelVersionOptions, ModelVersion, RegistryStore } from '../stores/registry-store.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import type { HttpClient } from '../stores/rest/http-client.js';
import { registryNeedsDatabase } from '../tracking/messages.js';

export async function registryFor(store: TrackingStore): Promise<RegistryStore> {
  if (store.kind === 'rest') {
    const { RestRegistryStore } = await import('../stores/rest/rest-registry-store.js');
    return new RestRegistryStore((store as unknown as { client: HttpClient }).client, store.displayUri);
  }
  const { registryStoreOver } = await import('../stores/sql/registry/index.js');
  const reg = registryStoreOver(store);
  if (reg) return reg;
  throw registryNeedsDatabase();
}

/**
 * Registers a model version. One made from a logged model (MLflow 3: `--model-id`, or a
 * `models:/<model_id>` source) is recorded on that model's `mlflow.modelVersions` tag, as MLflow's
 * server does; over HTTP the server records it. An unknown or deleted model is refused before the
 * version exists.
 */
export async function createModelVersion(store: TrackingStore, reg: RegistryStore, opts: CreateModelVersionOptions): Promise<ModelVersion> {
  const { loggedModelIdOfSource } = await import('../tracking/models-uri.js');
  const modelId = opts.modelId || loggedModelIdOfSource(opts.source);
  const models = store.kind === 'rest' || !modelId ? undefined : store.loggedModels;
  if (models) await models.get(modelId!);
  const v = await reg.createModelVersion({ ...opts, modelId });
  if (models) {
    const { recordModelVersion } = await import('../tracking/model-registrations.js');
    await recordModelVersion(models, modelId!, v.name, v.version);
  }
  return v;
}

/**
 * Registering a model version from the CLI. One made from a logged model (MLflow 3: `--model-id`, or
 * a `models:/<model_id>` source) is recorded on that model's `mlflow.modelVersions` tag, as MLflow's
 * server does; over HTTP (`store.client`) the server records it. An unknown or deleted model is
 * refused before the version exists.
 */
import type { CreateModelVersionOptions, ModelVersion, RegistryStore } from '../stores/registry-store.js';
import type { TrackingStore } from '../stores/tracking-store.js';

export async function createModelVersion(store: TrackingStore, reg: RegistryStore, opts: CreateModelVersionOptions): Promise<ModelVersion> {
  const { loggedModelIdOfSource } = await import('../tracking/models-uri.js');
  const modelId = opts.modelId || loggedModelIdOfSource(opts.source);
  const models = store.client || !modelId ? undefined : store.loggedModels;
  if (models) await models.get(modelId!);
  const v = await reg.createModelVersion({ ...opts, modelId });
  if (models) {
    const { recordModelVersion } = await import('../tracking/model-registrations.js');
    await recordModelVersion(models, modelId!, v.name, v.version);
  }
  return v;
}

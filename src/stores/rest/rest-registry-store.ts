/**
 * The Model Registry over an `http(s)://` tracking URI: each {@link RegistryStore} call is one MLflow
 * REST API 2.0 request (`/api/2.0/mlflow/registered-models/…`, `/model-versions/…`), as MLflow's
 * Python `RestStore` for the registry sends it, answered through src/tracking/registry-json.ts.
 * Works against `mlflow server` and `mlf server`. Validation and messages are the server's.
 * It uses the tracking store's {@link HttpClient}; closing it closes nothing.
 *
 * @example
 * const reg = new RestRegistryStore(restStore.client, restStore.displayUri);
 * const page = await reg.searchRegisteredModels({ filter: "name LIKE 'churn%'" });
 */
import type { PagedList } from '../../tracking/entities.js';
import { modelVersionFromJson, registeredModelFromJson } from '../../tracking/registry-json.js';
import type {
  CreateModelVersionOptions,
  CreateRegisteredModelOptions,
  ModelVersion,
  RegisteredModel,
  RegistryStore,
  RegistryTag,
  SearchRegistryOptions,
} from '../registry-store.js';
import type { HttpClient, Json } from './http-client.js';

const API = '/api/2.0/mlflow';
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

function searchFields(opts: SearchRegistryOptions): Json {
  const f: Json = {};
  if (opts.filter) f.filter = opts.filter;
  if (opts.maxResults !== undefined) f.max_results = opts.maxResults;
  if (opts.orderBy?.length) f.order_by = opts.orderBy;
  if (opts.pageToken) f.page_token = opts.pageToken;
  return f;
}

function paged<T>(items: T[], res: Json): PagedList<T> {
  return res.next_page_token ? { items, nextPageToken: String(res.next_page_token) } : { items };
}

export class RestRegistryStore implements RegistryStore {
  constructor(
    private readonly client: HttpClient,
    readonly displayUri: string,
  ) {}

  private call(method: string, endpoint: string, fields: Json): Promise<Json> {
    return this.client.call(method, API + endpoint, fields);
  }

  private async model(method: string, endpoint: string, fields: Json): Promise<RegisteredModel> {
    return registeredModelFromJson((await this.call(method, endpoint, fields)).registered_model as Json);
  }

  private async version(method: string, endpoint: string, fields: Json): Promise<ModelVersion> {
    return modelVersionFromJson((await this.call(method, endpoint, fields)).model_version as Json);
  }

  createRegisteredModel(opts: CreateRegisteredModelOptions): Promise<RegisteredModel> {
    const f: Json = { name: opts.name };
    if (opts.tags?.length) f.tags = opts.tags;
    if (opts.description !== undefined && opts.description !== null) f.description = opts.description;
    return this.model('POST', '/registered-models/create', f);
  }

  updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel> {
    return this.model('PATCH', '/registered-models/update', { name, description: description ?? '' });
  }

  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.model('POST', '/registered-models/rename', { name, new_name: newName });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.call('DELETE', '/registered-models/delete', { name });
  }

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.model('GET', '/registered-models/get', { name });
  }

  async searchRegisteredModels(opts: SearchRegistryOptions = {}): Promise<PagedList<RegisteredModel>> {
    const res = await this.call('GET', '/registered-models/search', searchFields(opts));
    return paged(list(res.registered_models).map(registeredModelFromJson), res);
  }

  async getLatestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    const res = await this.call('POST', '/registered-models/get-latest-versions', { name, stages });
    return list(res.model_versions).map(modelVersionFromJson);
  }

  async setRegisteredModelTag(name: string, tag: RegistryTag): Promise<void> {
    await this.call('POST', '/registered-models/set-tag', { name, key: tag.key, value: tag.value });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.call('DELETE', '/registered-models/delete-tag', { name, key });
  }

  createModelVersion(opts: CreateModelVersionOptions): Promise<ModelVersion> {
    const f: Json = { name: opts.name, source: opts.source };
    if (opts.runId) f.run_id = opts.runId;
    if (opts.tags?.length) f.tags = opts.tags;
    if (opts.runLink) f.run_link = opts.runLink;
    if (opts.description) f.description = opts.description;
    if (opts.modelId) f.model_id = opts.modelId;
    return this.version('POST', '/model-versions/create', f);
  }

  updateModelVersion(name: string, version: number | string, description: string | null): Promise<ModelVersion> {
    return this.version('PATCH', '/model-versions/update', { name, version: String(version), description: description ?? '' });
  }

  transitionModelVersionStage(name: string, version: number | string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    return this.version('POST', '/model-versions/transition-stage', {
      name,
      version: String(version),
      stage,
      archive_existing_versions: archiveExistingVersions,
    });
  }

  async deleteModelVersion(name: string, version: number | string): Promise<void> {
    await this.call('DELETE', '/model-versions/delete', { name, version: String(version) });
  }

  getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    return this.version('GET', '/model-versions/get', { name, version: String(version) });
  }

  async getModelVersionDownloadUri(name: string, version: number | string): Promise<string> {
    const res = await this.call('GET', '/model-versions/get-download-uri', { name, version: String(version) });
    return String(res.artifact_uri);
  }

  async searchModelVersions(opts: SearchRegistryOptions = {}): Promise<PagedList<ModelVersion>> {
    const res = await this.call('GET', '/model-versions/search', searchFields(opts));
    return paged(list(res.model_versions).map(modelVersionFromJson), res);
  }

  async setModelVersionTag(name: string, version: number | string, tag: RegistryTag): Promise<void> {
    await this.call('POST', '/model-versions/set-tag', { name, version: String(version), key: tag.key, value: tag.value });
  }

  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    await this.call('DELETE', '/model-versions/delete-tag', { name, version: String(version), key });
  }

  async setRegisteredModelAlias(name: string, alias: string, version: number | string): Promise<void> {
    await this.call('POST', '/registered-models/alias', { name, alias, version: String(version) });
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', '/registered-models/alias', { name, alias });
  }

  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.version('GET', '/registered-models/alias', { name, alias });
  }

  async close(): Promise<void> {}
}

/**
 * MLflow 3's logged models over HTTP (`http://` tracking URIs), the requests MLflow's Python
 * `RestStore` sends: create, get, finalize, delete, tags, params, search, and the run links
 * (`runs/outputs`, `runs/log-inputs` with `models`). A run's links come back with `runs/get`, so no
 * `runLinks` here.
 *
 * @example
 * const models = new RestLoggedModels(client);
 * const m = await models.create({ experimentId: '1', name: 'clf' });
 * await models.finalize(m.info.modelId, 'LOGGED_MODEL_READY');
 */
import type { KeyValue, PagedList } from '../../tracking/entities.js';
import {
  loggedModelFromJson,
  type CreateLoggedModelOptions,
  type LoggedModel,
  type LoggedModelStatus,
  type LoggedModelStore,
  type SearchLoggedModelsOptions,
} from '../../tracking/logged-models.js';
import type { HttpClient, Json } from './http-client.js';

const BASE = '/api/2.0/mlflow/logged-models';
const kvs = (items: KeyValue[]) => items.map((t) => ({ key: t.key, value: t.value }));

export class RestLoggedModels implements LoggedModelStore {
  constructor(private readonly client: HttpClient) {}

  private at(modelId: string, rest = ''): string {
    return `${BASE}/${encodeURIComponent(modelId)}${rest}`;
  }

  private async model(method: string, endpoint: string, fields: Json): Promise<LoggedModel> {
    return loggedModelFromJson((await this.client.call(method, endpoint, fields)).model as Json);
  }

  create(opts: CreateLoggedModelOptions): Promise<LoggedModel> {
    const f: Json = { experiment_id: opts.experimentId };
    if (opts.name) f.name = opts.name;
    if (opts.modelType) f.model_type = opts.modelType;
    if (opts.sourceRunId) f.source_run_id = opts.sourceRunId;
    if (opts.params?.length) f.params = kvs(opts.params);
    if (opts.tags?.length) f.tags = kvs(opts.tags);
    return this.model('POST', BASE, f);
  }

  get(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    return this.model('GET', this.at(modelId), allowDeleted ? { allow_deleted: 'true' } : {});
  }

  finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.model('PATCH', this.at(modelId), { model_id: modelId, status });
  }

  async delete(modelId: string): Promise<void> {
    await this.client.call('DELETE', this.at(modelId), { model_id: modelId });
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    await this.client.call('PATCH', this.at(modelId, '/tags'), { model_id: modelId, tags: kvs(tags) });
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.client.call('DELETE', this.at(modelId, `/tags/${encodeURIComponent(key)}`), {});
  }

  async logParams(modelId: string, params: KeyValue[]): Promise<void> {
    await this.client.call('POST', this.at(modelId, '/params'), { model_id: modelId, params: kvs(params) });
  }

  async search(opts: SearchLoggedModelsOptions): Promise<PagedList<LoggedModel>> {
    const f: Json = { experiment_ids: opts.experimentIds };
    if (opts.filter) f.filter = opts.filter;
    if (opts.datasets?.length) {
      f.datasets = opts.datasets.map((d) => (d.datasetDigest ? { dataset_name: d.datasetName, dataset_digest: d.datasetDigest } : { dataset_name: d.datasetName }));
    }
    if (opts.maxResults !== undefined) f.max_results = opts.maxResults;
    if (opts.orderBy?.length) {
      f.order_by = opts.orderBy.map((o) => {
        const x: Json = { field_name: o.fieldName, ascending: o.ascending };
        if (o.datasetName) x.dataset_name = o.datasetName;
        if (o.datasetDigest) x.dataset_digest = o.datasetDigest;
        return x;
      });
    }
    if (opts.pageToken) f.page_token = opts.pageToken;
    const res = await this.client.call('POST', `${BASE}/search`, f);
    const items = (Array.isArray(res.models) ? (res.models as Json[]) : []).map(loggedModelFromJson);
    return res.next_page_token ? { items, nextPageToken: String(res.next_page_token) } : { items };
  }

  async logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<void> {
    await this.client.call('POST', '/api/2.0/mlflow/runs/outputs', { run_id: runId, models: models.map((m) => ({ model_id: m.modelId, step: m.step })) });
  }

  async logModelInputs(runId: string, modelIds: string[]): Promise<void> {
    await this.client.call('POST', '/api/2.0/mlflow/runs/log-inputs', { run_id: runId, models: modelIds.map((id) => ({ model_id: id })) });
  }
}

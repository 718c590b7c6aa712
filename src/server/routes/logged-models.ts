/**
 * MLflow 3's logged-model endpoints (`/logged-models...` in service.proto). Their paths carry the
 * model id (and a tag key), so they are registered under templates (`/logged-models/{model_id}`) and
 * `loggedModelRouteKey` maps a concrete path to its template for the router and the auth rules.
 */
import { MlfError } from '../../lib/errors.js';
import { LOGGED_MODEL_STATUS_CODES, loggedModelToJson, type LoggedModelStatus, type LoggedModelStore } from '../../tracking/logged-models.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { enumField, int, invalid, keyValues, list, readParams, str, stringList, type Params } from '../request.js';
import type { Req } from '../http.js';
import type { Handler, RouteTable } from './tracking.js';

const ID = '[^/]+';
const TEMPLATES: [RegExp, string][] = [
  [new RegExp(`^/logged-models/(${ID})$`), '/logged-models/{model_id}'],
  [new RegExp(`^/logged-models/(${ID})/tags$`), '/logged-models/{model_id}/tags'],
  [new RegExp(`^/logged-models/(${ID})/tags/(.+)$`), '/logged-models/{model_id}/tags/{tag_key}'],
  [new RegExp(`^/logged-models/(${ID})/params$`), '/logged-models/{model_id}/params'],
  [new RegExp(`^/logged-models/(${ID})/artifacts/directories$`), '/logged-models/{model_id}/artifacts/directories'],
  [new RegExp(`^/logged-models/(${ID})/artifacts/files$`), '/logged-models/{model_id}/artifacts/files'],
];

/** The route template of a logged-model path (`/logged-models/m-1/tags` → `/logged-models/{model_id}/tags`), or undefined. */
export function loggedModelRouteKey(rest: string): string | undefined {
  if (!rest.startsWith('/logged-models/') || rest === '/logged-models/search') return undefined;
  for (const [re, key] of TEMPLATES) if (re.test(rest)) return key;
  return undefined;
}

/** The `{model_id}` (and `{tag_key}`) of a request path. */
export function loggedModelPathParams(path: string): { modelId: string; tagKey?: string } {
  const m = /\/logged-models\/([^/]+)(?:\/tags\/(.+))?/.exec(path);
  return { modelId: m?.[1] ?? '', tagKey: m?.[2] };
}

/** The store's logged models, or BAD_REQUEST for a store without them. */
export function modelsOf(store: TrackingStore): LoggedModelStore {
  if (!store.loggedModels) throw new MlfError(`Logged models are not supported by the tracking store '${store.displayUri}'.`, 'BAD_REQUEST');
  return store.loggedModels;
}

function orderByFrom(p: Params) {
  return list(p, 'order_by').map((o, i) => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw invalid('order_by', p.order_by);
    const x = o as Params;
    const fieldName = str(x, 'field_name');
    if (!fieldName) throw new MlfError(`Missing value for required parameter 'order_by[${i}].field_name'.`, 'INVALID_PARAMETER_VALUE');
    const asc = x.ascending;
    return {
      fieldName,
      ascending: asc === undefined || asc === null ? true : asc === true || asc === 'true',
      datasetName: str(x, 'dataset_name') || undefined,
      datasetDigest: str(x, 'dataset_digest') || undefined,
    };
  });
}

function datasetsFrom(p: Params) {
  return list(p, 'datasets').map((d) => {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) throw invalid('datasets', p.datasets);
    const x = d as Params;
    return { datasetName: str(x, 'dataset_name') ?? '', datasetDigest: str(x, 'dataset_digest') || undefined };
  });
}

export function addLoggedModelRoutes(t: RouteTable, store: TrackingStore): void {
  const on = (path: string, methods: string[], h: Handler) => {
    const e = t.get(path) ?? {};
    for (const m of methods) e[m] = h;
    t.set(path, e);
  };
  const id = (req: Req) => loggedModelPathParams(req.path).modelId;

  on('/logged-models', ['POST'], async (req) => {
    const p = await readParams(req);
    const model = await modelsOf(store).create({
      experimentId: str(p, 'experiment_id', true),
      name: str(p, 'name') || undefined,
      modelType: str(p, 'model_type') || undefined,
      sourceRunId: str(p, 'source_run_id') || undefined,
      params: keyValues(p, 'params', true),
      tags: keyValues(p, 'tags', true),
    });
    return { model: loggedModelToJson(model) };
  });
  on('/logged-models/search', ['POST'], async (req) => {
    const p = await readParams(req, ['experiment_ids']);
    const page = await modelsOf(store).search({
      experimentIds: stringList(p, 'experiment_ids', true),
      filter: str(p, 'filter') || undefined,
      datasets: datasetsFrom(p),
      maxResults: int(p, 'max_results'),
      orderBy: orderByFrom(p),
      pageToken: str(p, 'page_token') || undefined,
    });
    const out: Record<string, unknown> = { models: page.items.map(loggedModelToJson) };
    if (page.nextPageToken) out.next_page_token = page.nextPageToken;
    return out;
  });
  on('/logged-models/{model_id}', ['GET'], async (req) => {
    const p = await readParams(req);
    const allow = p.allow_deleted === true || p.allow_deleted === 'true';
    return { model: loggedModelToJson(await modelsOf(store).get(id(req), allow)) };
  });
  on('/logged-models/{model_id}', ['PATCH'], async (req) => {
    const p = await readParams(req);
    const status = enumField<LoggedModelStatus>(p, 'status', LOGGED_MODEL_STATUS_CODES);
    if (!status) throw new MlfError("Missing value for required parameter 'status'. See the API docs for more information about request parameters.", 'INVALID_PARAMETER_VALUE');
    return { model: loggedModelToJson(await modelsOf(store).finalize(id(req), status)) };
  });
  on('/logged-models/{model_id}', ['DELETE'], async (req) => {
    await modelsOf(store).delete(id(req));
    return {};
  });
  on('/logged-models/{model_id}/tags', ['PATCH'], async (req) => {
    const p = await readParams(req);
    await modelsOf(store).setTags(id(req), keyValues(p, 'tags', true));
    return {};
  });
  on('/logged-models/{model_id}/tags/{tag_key}', ['DELETE'], async (req) => {
    const { modelId, tagKey } = loggedModelPathParams(req.path);
    await modelsOf(store).deleteTag(modelId, tagKey ?? '');
    return {};
  });
  on('/logged-models/{model_id}/params', ['POST'], async (req) => {
    const p = await readParams(req);
    await modelsOf(store).logParams(id(req), keyValues(p, 'params', true));
    return {};
  });
}

/** `models[]` of runs/outputs (`{model_id, step}`, both required) or runs/log-inputs (`{model_id}`). */
export function modelRefsFrom(p: Params, withStep: boolean): { modelId: string; step: number }[] {
  return list(p, 'models').map((m, i) => {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw invalid('models', p.models);
    const o = m as Params;
    const modelId = str(o, 'model_id');
    if (!modelId) throw new MlfError(`Missing value for required parameter 'models[${i}].model_id'.`, 'INVALID_PARAMETER_VALUE');
    const step = int(o, 'step');
    if (withStep && step === undefined) throw new MlfError(`Missing value for required parameter 'models[${i}].step'.`, 'INVALID_PARAMETER_VALUE');
    return { modelId, step: step ?? 0 };
  });
}

/** POST /runs/outputs. */
export function addRunOutputRoutes(t: RouteTable, store: TrackingStore): void {
  const e = t.get('/runs/outputs') ?? {};
  e.POST = async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const models = modelRefsFrom(p, true);
    const lm = modelsOf(store);
    if (!lm.logOutputs) throw new MlfError(`Run outputs are not supported by the tracking store '${store.displayUri}'.`, 'BAD_REQUEST');
    await lm.logOutputs(runId, models);
    return {};
  };
  t.set('/runs/outputs', e);
}

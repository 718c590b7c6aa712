/**
 * MLflow's tracking REST API 2.0 (`MlflowService` in service.proto): one function per endpoint,
 * each parse request → one store call → MLflow's JSON. Validation messages are MLflow's handler
 * messages (`_assert_required`, `_validate_batch_log_api_req`, get-history-bulk-interval checks);
 * everything else is the store's job.
 */
import { malformedModelJson, modelJsonMissingFields } from '../../tracking/messages.js';
import { MlfError } from '../../lib/errors.js';
import { pageToJson, RUN_STATUS_CODES, VIEW_TYPE_CODES, type Metric, type RunStatus, type ViewType } from '../../tracking/entities.js';
import {
  experimentToJson,
  floatFromJson,
  metricToJson,
  metricWithRunIdToJson,
  runInfoToJson,
  runToJson,
  withModelFields,
} from '../../tracking/rest-json.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { validateBulkInterval, validateBulkRunIds } from '../../stores/metric-sampling.js';
import {
  double,
  enumField,
  int,
  invalid,
  keyValues,
  list,
  MAX_BATCH_LOG_REQUEST_SIZE,
  missing,
  readBodyText,
  readParams,
  scalarString,
  str,
  stringList,
  type Params,
} from '../request.js';
import type { ArtifactAccess } from './artifacts.js';
import { modelRefsFrom } from './logged-models.js';
import { withModelLinks } from '../../tracking/logged-models.js';
import type { Req } from '../http.js';
import { WrittenList } from '../json-pieces.js';

import type { Json } from '../../tracking/entities.js';
import { collectPages } from '../../tracking/pages.js';
export type { Json };
/**
 * A handler's answer, serialised with JSON.stringify. (Hand-building the text of large answers was
 * measured slower: V8's JSON.stringify fast path beats string concatenation plus flattening.)
 */
export type Handler = (req: Req) => Promise<Json>;
/** path after `/mlflow` → method → handler */
export type RouteTable = Map<string, Partial<Record<string, Handler>>>;

const API_DOCS = ' See the API docs for more information about request parameters.';

/** MLflow's `validate_query_string` and the fragment/params check on an experiment's artifact location. */
function validateArtifactLocation(loc: string): void {
  const hash = loc.indexOf('#');
  if (hash !== -1 && hash < loc.length - 1) {
    throw new MlfError("'artifact_location' URL can't include fragments or params.", 'INVALID_PARAMETER_VALUE');
  }
  const q = loc.indexOf('?');
  const beforeQuery = q === -1 ? loc : loc.slice(0, q);
  const lastSegment = beforeQuery.slice(beforeQuery.lastIndexOf('/') + 1);
  if (lastSegment.includes(';')) {
    throw new MlfError("'artifact_location' URL can't include fragments or params.", 'INVALID_PARAMETER_VALUE');
  }
  if (q !== -1) {
    let query = loc.slice(q + 1, hash === -1 ? undefined : hash);
    for (let i = 0; i < 10; i++) {
      let next: string;
      try {
        next = decodeURIComponent(query);
      } catch {
        break;
      }
      if (next === query) break;
      query = next;
    }
    if (query.includes('..')) throw new MlfError('Invalid query string', 'INVALID_PARAMETER_VALUE');
  }
}

function metricsFrom(p: Params): Metric[] {
  return list(p, 'metrics').map((m, i) => {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw invalid('metrics', p.metrics);
    const o = m as Params;
    for (const f of ['key', 'value', 'timestamp'] as const) {
      if (o[f] === undefined || o[f] === null || o[f] === '') {
        throw new MlfError(`Missing value for required parameter 'metrics[${i}].${f}'.${API_DOCS}`, 'INVALID_PARAMETER_VALUE');
      }
    }
    let value: number;
    try {
      value = floatFromJson(o.value, `metrics[${i}].value`);
    } catch {
      throw invalid(`metrics[${i}].value`, o.value);
    }
    const metric: Metric = {
      key: scalarString(o.key, `metrics[${i}].key`),
      value,
      timestamp: int(o, 'timestamp') ?? 0,
      step: int(o, 'step') ?? 0,
    };
    return withModelFields(metric, o);
  });
}

export function trackingRoutes(store: TrackingStore, artifacts: ArtifactAccess): RouteTable {
  const t: RouteTable = new Map();
  const on = (path: string, methods: string[], h: Handler) => {
    const e = t.get(path) ?? {};
    for (const m of methods) e[m] = h;
    t.set(path, e);
  };

  // ---- experiments ----
  on('/experiments/create', ['POST'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'name', true);
    const artifactLocation = str(p, 'artifact_location');
    const tags = keyValues(p, 'tags');
    if (artifactLocation) validateArtifactLocation(artifactLocation);
    const id = await store.createExperiment({ name, artifactLocation: artifactLocation || undefined, tags });
    return { experiment_id: id };
  });
  on('/experiments/get', ['GET'], async (req) => {
    const p = await readParams(req);
    return { experiment: experimentToJson(await store.getExperiment(str(p, 'experiment_id', true))) };
  });
  on('/experiments/get-by-name', ['GET'], async (req) => {
    const p = await readParams(req);
    const name = str(p, 'experiment_name', true);
    const e = await store.getExperimentByName(name);
    if (!e) throw new MlfError(`Could not find experiment with name '${name}'`, 'RESOURCE_DOES_NOT_EXIST');
    return { experiment: experimentToJson(e) };
  });
  on('/experiments/search', ['GET', 'POST'], async (req) => {
    const p = await readParams(req, ['order_by']);
    const page = await store.searchExperiments({
      viewType: enumField<ViewType>(p, 'view_type', VIEW_TYPE_CODES) ?? 'ACTIVE_ONLY',
      // Unset is protobuf's 0, which the store refuses, as MLflow's does.
      maxResults: int(p, 'max_results') ?? 0,
      filter: str(p, 'filter') || undefined,
      orderBy: stringList(p, 'order_by'),
      pageToken: str(p, 'page_token') || undefined,
    });
    return pageToJson('experiments', page, experimentToJson);
  });
  // MLflow 1.x's ListExperiments, still used by older clients: without max_results, every experiment.
  on('/experiments/list', ['GET'], async (req) => {
    const p = await readParams(req);
    const viewType = enumField<ViewType>(p, 'view_type', VIEW_TYPE_CODES) ?? 'ACTIVE_ONLY';
    const maxResults = int(p, 'max_results');
    const page = await collectPages((pageToken) => store.searchExperiments({ viewType, maxResults: maxResults ?? 50000, pageToken }), {
      pageToken: str(p, 'page_token') || undefined,
      all: maxResults === undefined,
    });
    return pageToJson('experiments', page, experimentToJson);
  });
  on('/experiments/delete', ['POST'], async (req) => {
    await store.deleteExperiment(str(await readParams(req), 'experiment_id', true));
    return {};
  });
  on('/experiments/restore', ['POST'], async (req) => {
    await store.restoreExperiment(str(await readParams(req), 'experiment_id', true));
    return {};
  });
  on('/experiments/update', ['POST'], async (req) => {
    const p = await readParams(req);
    const id = str(p, 'experiment_id', true);
    await store.renameExperiment(id, str(p, 'new_name', true));
    return {};
  });
  on('/experiments/set-experiment-tag', ['POST'], async (req) => {
    const p = await readParams(req);
    const id = str(p, 'experiment_id', true);
    const key = str(p, 'key', true);
    await store.setExperimentTag(id, { key, value: str(p, 'value') ?? '' });
    return {};
  });
  on('/experiments/delete-experiment-tag', ['POST'], async (req) => {
    const p = await readParams(req);
    const id = str(p, 'experiment_id', true);
    await store.deleteExperimentTag(id, str(p, 'key', true));
    return {};
  });

  // ---- runs ----
  on('/runs/create', ['POST'], async (req) => {
    const p = await readParams(req);
    const run = await store.createRun({
      experimentId: str(p, 'experiment_id') ?? '',
      userId: str(p, 'user_id') ?? '',
      startTime: int(p, 'start_time') ?? 0,
      tags: keyValues(p, 'tags'),
      runName: str(p, 'run_name') || undefined,
    });
    // MLflow's CreateRun answer has no `inputs` (a new run has none); runs/get has `inputs: {}`.
    const { inputs: _none, ...created } = runToJson(run);
    return { run: created };
  });
  on('/runs/update', ['POST'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const info = await store.updateRunInfo(runId, {
      status: enumField<RunStatus>(p, 'status', RUN_STATUS_CODES, 'unknown-names'),
      endTime: int(p, 'end_time'),
      runName: str(p, 'run_name'),
    });
    return { run_info: runInfoToJson(info) };
  });
  on('/runs/delete', ['POST'], async (req) => {
    await store.deleteRun(str(await readParams(req), 'run_id', true));
    return {};
  });
  on('/runs/restore', ['POST'], async (req) => {
    await store.restoreRun(str(await readParams(req), 'run_id', true));
    return {};
  });
  on('/runs/get', ['GET'], async (req) => {
    const p = await readParams(req);
    const run = await store.getRun(str(p, 'run_id', true));
    await withModelLinks(store.loggedModels, [run]);
    return { run: runToJson(run) };
  });
  on('/runs/search', ['POST'], async (req) => {
    const p = await readParams(req, ['experiment_ids', 'order_by']);
    const maxResults = int(p, 'max_results');
    if (maxResults !== undefined && maxResults > 50000) throw invalid('max_results', p.max_results);
    const page = await store.searchRuns({
      experimentIds: stringList(p, 'experiment_ids'),
      filter: str(p, 'filter') || undefined,
      viewType: enumField<ViewType>(p, 'run_view_type', VIEW_TYPE_CODES, 'anything') ?? 'ACTIVE_ONLY',
      maxResults: maxResults ?? 1000,
      orderBy: stringList(p, 'order_by'),
      pageToken: str(p, 'page_token') || undefined,
    });
    await withModelLinks(store.loggedModels, page.items);
    return pageToJson('runs', page, runToJson);
  });
  on('/runs/log-metric', ['POST'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const key = str(p, 'key', true);
    const value = double(p, 'value', true)!;
    const timestamp = int(p, 'timestamp', true)!;
    // MLflow 3's model_id, dataset_name and dataset_digest: the point also lands in the model's metrics.
    const model = { model_id: str(p, 'model_id'), dataset_name: str(p, 'dataset_name'), dataset_digest: str(p, 'dataset_digest') };
    await store.logMetric(runId, withModelFields({ key, value, timestamp, step: int(p, 'step') ?? 0 }, model));
    return {};
  });
  on('/runs/log-parameter', ['POST'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const key = str(p, 'key', true);
    await store.logParam(runId, { key, value: str(p, 'value') ?? '' });
    return {};
  });
  on('/runs/set-tag', ['POST'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const key = str(p, 'key', true);
    await store.setTag(runId, { key, value: str(p, 'value') ?? '' });
    return {};
  });
  on('/runs/delete-tag', ['POST'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    await store.deleteTag(runId, str(p, 'key', true));
    return {};
  });
  on('/runs/log-batch', ['POST'], async (req) => {
    const tooLarge = (size: number) =>
      new MlfError(
        `Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_SIZE} bytes, got a request of size ${size}.`,
        'INVALID_PARAMETER_VALUE',
      );
    const p = await readParams(req, [], await readBodyText(req, MAX_BATCH_LOG_REQUEST_SIZE, tooLarge));
    const runId = str(p, 'run_id', true);
    const metrics = metricsFrom(p);
    const params = keyValues(p, 'params', true);
    const tags = keyValues(p, 'tags', true);
    await store.logBatch(runId, { metrics, params, tags });
    return {};
  });
  on('/runs/log-model', ['POST'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const modelJson = str(p, 'model_json', true);
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      model = undefined;
    }
    if (model === null || typeof model !== 'object' || Array.isArray(model)) {
      throw malformedModelJson(modelJson);
    }
    const absent = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((f) => !(f in (model as object)));
    if (absent.length) {
      throw modelJsonMissingFields(absent);
    }
    await store.recordLoggedModel(runId, modelJson);
    return {};
  });
  on('/runs/log-inputs', ['POST'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    // MLflow 3: `models` may come alone; `datasets` is required only without it. An empty list is
    // there (MLflow's _assert_required only refuses a missing one): nothing to log, 200.
    const models = modelRefsFrom(p, false);
    const datasets = list(p, 'datasets', models.length === 0 && !Array.isArray(p.datasets)).map((d, i) => {
      if (d === null || typeof d !== 'object' || Array.isArray(d)) throw invalid('datasets', p.datasets);
      const o = d as Params;
      const ds = o.dataset;
      if (ds === undefined || ds === null) throw missing(`datasets[${i}].dataset`);
      if (typeof ds !== 'object' || Array.isArray(ds)) throw invalid(`datasets[${i}].dataset`, ds);
      const dj = ds as Params;
      const field = (f: string) => scalarString(dj[f], `datasets[${i}].dataset.${f}`);
      const opt = (f: string) => (dj[f] === undefined || dj[f] === null ? null : field(f));
      return {
        tags: keyValues(o, 'tags'),
        dataset: {
          name: field('name'),
          digest: field('digest'),
          sourceType: field('source_type'),
          source: field('source'),
          schema: opt('schema'),
          profile: opt('profile'),
        },
      };
    });
    if (datasets.length || !models.length) await store.logInputs(runId, datasets);
    if (models.length) {
      const lm = store.loggedModels;
      if (!lm?.logModelInputs) throw new MlfError(`Model inputs are not supported by the tracking store '${store.displayUri}'.`, 'BAD_REQUEST');
      await lm.logModelInputs(runId, models.map((m) => m.modelId));
    }
    return {};
  });

  // ---- metrics ----
  on('/metrics/get-history', ['GET'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const key = str(p, 'metric_key', true);
    const written = await store.getMetricHistoryJson?.(runId, key);
    if (written) return written.length ? { metrics: new WrittenList(written) } : {};
    const history = await store.getMetricHistory(runId, key);
    return history.length ? { metrics: history.map(metricToJson) } : {};
  });
  on('/metrics/get-history-bulk-interval', ['GET'], async (req) => {
    const p = await readParams(req, ['run_ids']);
    const runIds = stringList(p, 'run_ids', true);
    validateBulkRunIds(runIds, API_DOCS);
    const metricKey = str(p, 'metric_key', true);
    const opts = { startStep: int(p, 'start_step'), endStep: int(p, 'end_step'), maxResults: int(p, 'max_results') };
    // Checked here, in MLflow's order and with the API docs suffix; the store takes it as checked.
    const checked = validateBulkInterval(runIds, opts, API_DOCS);
    const points = await store.getMetricHistoryBulkInterval(runIds, metricKey, checked);
    return points.length ? { metrics: points.map(metricWithRunIdToJson) } : {};
  });

  // ---- artifacts ----
  on('/artifacts/list', ['GET'], async (req) => {
    const p = await readParams(req);
    const runId = str(p, 'run_id', true);
    const rel = str(p, 'path');
    str(p, 'page_token');
    const run = await store.getRun(runId);
    const files = await artifacts.listRunArtifacts(run.info.artifactUri, rel ?? '');
    const out: Json = { root_uri: run.info.artifactUri };
    if (files.length) {
      out.files = files.map((f) => (f.isDir ? { path: f.path, is_dir: true } : { path: f.path, is_dir: false, file_size: f.fileSize }));
    }
    return out;
  });

  return t;
}

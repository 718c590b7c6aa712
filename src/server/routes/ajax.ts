/**
 * The endpoints MLflow's server adds beside its REST API for its web UI (mlflow/server/__init__.py):
 * `/get-artifact`, `/model-versions/get-artifact`, and under `/ajax-api/2.0/mlflow` only:
 * `metrics/get-history-bulk`, `experiments/search-datasets`, `runs/create-promptlab-run`,
 * `gateway-proxy` and `upload-artifact`. Checks, order of checks and messages are MLflow 2.17's
 * handlers'; these handlers read their arguments themselves (no proto schema), as MLflow's do.
 */
import { MlfError } from '../../lib/errors.js';
import { metricWithRunIdToJson, runToJson } from '../../tracking/rest-json.js';
import { pyStr } from '../../tracking/py-format.js';
import type { MetricWithRunId, Run } from '../../tracking/entities.js';
import { pages } from '../../tracking/pages.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { validateArtifactPath } from '../../artifacts/local-repo.js';
import { parseJsonBody, readParams, stringList, type Params } from '../request.js';
import type { ArtifactAccess } from './artifacts.js';
import type { Json, RouteTable } from './tracking.js';
import type { Reply, Req } from '../http.js';

/** path after the prefix → method → handler answering a whole reply (files, empty bodies). */
export type ReplyTable = Map<string, Partial<Record<string, (req: Req) => Promise<Reply>>>>;

const MAX_HISTORY_RESULTS = 25000;
const MAX_RUN_IDS_PER_REQUEST = 100;
const MAX_EXPERIMENT_IDS_PER_REQUEST = 20;
const MAX_DATASET_SUMMARIES_RESULTS = 1000;
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

const badParam = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');
const json = (body: Json): Reply => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** The query arguments of a request, every value kept (Flask's `request.args`). */
function queryArgs(req: Req): URLSearchParams {
  return new URLSearchParams(req.query);
}

/** The JSON body as Flask's `request.json`, after MLflow's Content-Type check. */
async function jsonBody(req: Req): Promise<Params> {
  const ct = req.header('content-type');
  if (ct === undefined || ct.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    // readParams gives MLflow's Content-Type messages.
    return readParams(req);
  }
  return parseJsonBody((await req.body(64 * 1024 * 1024, (n) => badParam(`Request body is too large: ${n} bytes.`))).toString('utf8'), req);
}

function keyValueList(v: unknown): { key: string; value: string }[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter((x): x is Params => x !== null && typeof x === 'object' && !Array.isArray(x))
    .map((x) => ({ key: pyStr(x.key, x, 'key'), value: pyStr(x.value, x, 'value') })); // MLflow: str(param.value)
}

/** Routes served at the server root (`/get-artifact`, `/model-versions/get-artifact`). */
export function rootRoutes(store: TrackingStore, artifacts: ArtifactAccess, api: RouteTable): ReplyTable {
  const t: ReplyTable = new Map();
  t.set('/get-artifact', {
    GET: async (req) => {
      const q = queryArgs(req);
      const runId = q.get('run_id') || q.get('run_uuid') || '';
      const rel = q.get('path');
      if (rel === null) throw badParam("Missing value for required parameter 'path'.");
      validateArtifactPath(rel);
      const run = await store.getRun(runId);
      return artifacts.sendFile(run.info.artifactUri, rel);
    },
  });
  t.set('/model-versions/get-artifact', {
    GET: async (req) => {
      const rel = queryArgs(req).get('path');
      if (rel === null) throw badParam("Missing value for required parameter 'path'.");
      validateArtifactPath(rel);
      // The registry's get-download-uri handler reads the same `name` and `version` arguments.
      const downloadUri = api.get('/model-versions/get-download-uri')?.GET;
      if (!downloadUri) throw new MlfError('No Model Registry on this server.', 'FEATURE_DISABLED');
      const { artifact_uri } = (await downloadUri(req)) as { artifact_uri: string };
      return artifacts.sendFile(artifact_uri, rel);
    },
  });
  return t;
}

/** Routes served only under `/ajax-api/2.0/mlflow`. */
export function ajaxRoutes(store: TrackingStore, artifacts: ArtifactAccess): ReplyTable {
  const t: ReplyTable = new Map();

  t.set('/metrics/get-history-bulk', {
    GET: async (req) => {
      const q = queryArgs(req);
      const runIds = q.getAll('run_id');
      if (!runIds.length) throw badParam('GetMetricHistoryBulk request must specify at least one run_id.');
      if (runIds.length > MAX_RUN_IDS_PER_REQUEST) {
        throw badParam(`GetMetricHistoryBulk request cannot specify more than ${MAX_RUN_IDS_PER_REQUEST} run_ids. Received ${runIds.length} run_ids.`);
      }
      const key = q.get('metric_key');
      if (key === null) throw badParam('GetMetricHistoryBulk request must specify a metric_key.');
      const rawMax = q.get('max_results');
      if (rawMax !== null && !/^\s*[-+]?\d+\s*$/.test(rawMax)) throw badParam(`Invalid value '${rawMax}' for parameter 'max_results'.`);
      const max = Math.min(rawMax === null ? MAX_HISTORY_RESULTS : Number(rawMax), MAX_HISTORY_RESULTS);
      const out: MetricWithRunId[] = [];
      for (const runId of [...runIds].sort()) {
        const history = await store.getMetricHistory(runId, key);
        history.sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || a.value - b.value);
        for (const m of history) out.push({ ...m, runId });
      }
      return json({ metrics: out.slice(0, Math.max(max, 0)).map(metricWithRunIdToJson) });
    },
  });

  t.set('/experiments/search-datasets', {
    POST: async (req) => {
      const p = await readParams(req, ['experiment_ids']);
      const ids = stringList(p, 'experiment_ids');
      if (!ids.length) throw badParam('SearchDatasets request must specify at least one experiment_id.');
      if (ids.length > MAX_EXPERIMENT_IDS_PER_REQUEST) {
        throw badParam(
          `SearchDatasets request cannot specify more than ${MAX_EXPERIMENT_IDS_PER_REQUEST} experiment_ids. Received ${ids.length} experiment_ids.`,
        );
      }
      return json(await searchDatasets(store, ids));
    },
  });

  t.set('/runs/create-promptlab-run', {
    POST: async (req) => json({ run: runToJson(await createPromptlabRun(store, artifacts, await jsonBody(req))) }),
  });

  const gateway = async (req: Req): Promise<Reply> => {
    const target = process.env.MLFLOW_DEPLOYMENTS_TARGET;
    // No deployments server configured: MLflow answers as an empty gateway would.
    if (!target) return json({ endpoints: [] });
    const args: Params = req.method === 'GET' ? Object.fromEntries(queryArgs(req)) : await jsonBody(req);
    const gatewayPath = args.gateway_path;
    if (!gatewayPath) throw badParam('Deployments proxy request must specify a gateway_path.');
    const init: RequestInit = { method: req.method };
    if (args.json_data !== undefined && args.json_data !== null) {
      init.body = JSON.stringify(args.json_data);
      init.headers = { 'Content-Type': 'application/json' };
    }
    const res = await fetch(`${target}/${String(gatewayPath)}`, init).catch((e: Error) => {
      throw new MlfError(`Deployments proxy request to ${target} failed: ${e.message}`, 'TEMPORARILY_UNAVAILABLE');
    });
    const text = await res.text();
    if (res.status === 200) return { status: 200, headers: { 'Content-Type': 'application/json' }, body: text };
    throw new MlfError(`Deployments proxy request failed with error code ${res.status}. Error message: ${text}`, 'BAD_REQUEST');
  };
  t.set('/gateway-proxy', { GET: gateway, POST: gateway });

  t.set('/upload-artifact', {
    POST: async (req) => {
      const q = queryArgs(req);
      const runId = q.get('run_uuid');
      if (!runId) throw badParam('Request must specify run_uuid.');
      const rel = q.get('path');
      if (!rel) throw badParam('Request must specify path.');
      validateArtifactPath(rel);
      const data = await req.body(MAX_UPLOAD_BYTES, () => badParam('Artifact size is too large. Max size is 10MB.'));
      if (!data.length) throw badParam('Request must specify data.');
      const run = await store.getRun(runId);
      await artifacts.writeFile(run.info.artifactUri, rel, data);
      return { status: 200, headers: { 'Content-Type': 'application/json' }, body: '' };
    },
  });

  return t;
}

/** MLflow's `_search_datasets`: distinct (experiment, name, digest, context) of the experiments' runs' inputs. */
async function searchDatasets(store: TrackingStore, experimentIds: string[]): Promise<Json> {
  const seen = new Map<string, Json>();
  for await (const page of pages((pageToken) => store.searchRuns({ experimentIds, viewType: 'ALL', maxResults: 1000, orderBy: [], pageToken }))) {
    for (const run of page.items) {
      for (const di of run.inputs.datasetInputs) {
        const context = di.tags.find((tg) => tg.key === DATASET_CONTEXT_TAG)?.value;
        const summary: Json = { experiment_id: run.info.experimentId, name: di.dataset.name, digest: di.dataset.digest };
        if (context !== undefined) summary.context = context;
        seen.set(JSON.stringify([summary.experiment_id, summary.name, summary.digest, context ?? null]), summary);
        if (seen.size >= MAX_DATASET_SUMMARIES_RESULTS) return { dataset_summaries: [...seen.values()] };
      }
    }
  }
  return seen.size ? { dataset_summaries: [...seen.values()] } : {};
}

/**
 * MLflow's `_create_promptlab_run_impl`: a finished run holding the prompt's parameters and tags and
 * an `eval_results_table.json` artifact. (MLflow also saves a `promptlab` model under `model/`; mlf
 * does not, as it has no MLflow model flavours: see the README's differences.)
 */
async function createPromptlabRun(store: TrackingStore, artifacts: ArtifactAccess, args: Params): Promise<Run> {
  const need = (name: string): unknown => {
    const v = args[name];
    if (v === undefined || v === null || v === '' || v === 0 || v === false || (Array.isArray(v) && !v.length)) {
      throw badParam(`CreatePromptlabRun request must specify ${name}.`);
    }
    return v;
  };
  const experimentId = String(need('experiment_id'));
  const promptTemplate = String(need('prompt_template'));
  need('prompt_parameters');
  const promptParameters = keyValueList(args.prompt_parameters);
  const modelRoute = String(need('model_route'));
  const modelParameters = keyValueList(args.model_parameters);
  const modelInput = need('model_input');
  const outputParameters = keyValueList(args.model_output_parameters);
  need('mlflow_version');
  const runName = typeof args.run_name === 'string' ? args.run_name : undefined;
  const startTime = typeof args.start_time === 'number' ? args.start_time : Date.now();

  const run = await store.createRun({
    experimentId,
    userId: typeof args.user_id === 'string' ? args.user_id : 'unknown',
    startTime,
    tags: keyValueList(args.tags),
    runName,
  });
  const runId = run.info.runId;
  let status: 'FINISHED' | 'FAILED' = 'FINISHED';
  try {
    await store.logBatch(runId, {
      metrics: [],
      params: [...modelParameters, { key: 'model_route', value: modelRoute }, { key: 'prompt_template', value: promptTemplate }],
      tags: [
        { key: 'mlflow.loggedArtifacts', value: '[{"path": "eval_results_table.json", "type": "table"}]' },
        { key: 'mlflow.runSourceType', value: 'PROMPT_ENGINEERING' },
      ],
    });
    const table = {
      columns: [...promptParameters.map((p) => p.key), 'prompt', 'output', ...outputParameters.map((p) => p.key)],
      data: [[...promptParameters.map((p) => p.value), modelInput, args.model_output ?? null, ...outputParameters.map((p) => p.value)]],
    };
    await artifacts.writeFile(run.info.artifactUri, 'eval_results_table.json', Buffer.from(JSON.stringify(table)));
  } catch {
    // As MLflow: any failure after the run exists marks it FAILED instead of failing the request.
    status = 'FAILED';
  }
  await store.updateRunInfo(runId, { status, endTime: Date.now(), runName });
  return store.getRun(runId);
}

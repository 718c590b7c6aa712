/**
 * What each endpoint requires of a signed-in user who is not an admin: one table, keyed exactly as the
 * server's route table (path after `/mlflow`, then method), so a test can check that every route the
 * server serves has a rule. The checks are MLflow's `BEFORE_REQUEST_HANDLERS` /
 * `BEFORE_REQUEST_VALIDATORS` and the follow-ups its `AFTER_REQUEST_PATH_HANDLERS`
 * (mlflow/server/auth/__init__.py, 2.17).
 *
 * Where MLflow 2.17 checks nothing beyond sign-in and later MLflow versions added a check, mlf applies
 * the check (marked `stricter`): deleting an experiment tag, log-inputs, bulk metric history, and
 * filtering run and model-version search results to what the user may read.
 */
import type { Need } from './permissions.js';
import { templateRouteKey } from '../routes/route-key.js';

/** Which parameter names the resource, and what the user needs on it. */
export type Check =
  /** Signed in is enough (MLflow applies no validator). */
  | { kind: 'signed-in' }
  | { kind: 'admin' }
  /** The `username` parameter is the sender (reading or changing one's own account). */
  | { kind: 'self' }
  /**
   * `model_id`: the logged model named in the request path; its permission is its experiment's.
   * MLflow 3's traces: `trace_id` is the trace in the path (or the `trace_id` parameter), `trace_ids`
   * every listed trace that exists, `locations` each experiment a V3 search names, `trace_location`
   * the experiment of a StartTraceV3 body, `experiment_header` OTLP's `x-mlflow-experiment-id`.
   */
  | {
      kind: 'experiment';
      by: 'experiment_id' | 'experiment_name' | 'run_id' | 'run_ids' | 'model_id' | 'trace_id' | 'trace_ids' | 'locations' | 'trace_location' | 'experiment_header';
      need: Need;
    }
  | { kind: 'model'; need: Need };

/** What runs after a successful reply. */
export type After =
  | 'grant-experiment-manage'
  | 'grant-model-manage'
  | 'drop-model-permissions'
  | 'filter-experiments'
  | 'filter-runs'
  | 'filter-models'
  | 'filter-model-versions'
  | 'filter-logged-models';

export interface Rule {
  check: Check;
  after?: After;
  /** True where mlf checks more than MLflow 2.17 does (see the module comment). */
  stricter?: true;
}

export type RuleTable = ReadonlyMap<string, Readonly<Record<string, Rule>>>;

const signedIn: Check = { kind: 'signed-in' };
const exp = (need: Need): Rule => ({ check: { kind: 'experiment', by: 'experiment_id', need } });
const run = (need: Need): Rule => ({ check: { kind: 'experiment', by: 'run_id', need } });
const model = (need: Need): Rule => ({ check: { kind: 'model', need } });
const loggedModel = (need: Need): Rule => ({ check: { kind: 'experiment', by: 'model_id', need } });
const trace = (need: Need): Rule => ({ check: { kind: 'experiment', by: 'trace_id', need } });

export const RULES: RuleTable = new Map<string, Record<string, Rule>>([
  // ---- experiments ----
  ['/experiments/create', { POST: { check: signedIn, after: 'grant-experiment-manage' } }],
  ['/experiments/get', { GET: exp('read') }],
  ['/experiments/get-by-name', { GET: { check: { kind: 'experiment', by: 'experiment_name', need: 'read' } } }],
  ['/experiments/search', { GET: { check: signedIn, after: 'filter-experiments' }, POST: { check: signedIn, after: 'filter-experiments' } }],
  // The 1.x listing shows what the 2.x search shows.
  ['/experiments/list', { GET: { check: signedIn, after: 'filter-experiments', stricter: true } }],
  ['/experiments/delete', { POST: exp('delete') }],
  ['/experiments/restore', { POST: exp('delete') }],
  ['/experiments/update', { POST: exp('update') }],
  ['/experiments/set-experiment-tag', { POST: exp('update') }],
  ['/experiments/delete-experiment-tag', { POST: { ...exp('update'), stricter: true } }],
  // ---- runs (a run's permission is its experiment's) ----
  ['/runs/create', { POST: exp('update') }],
  ['/runs/update', { POST: run('update') }],
  ['/runs/delete', { POST: run('delete') }],
  ['/runs/restore', { POST: run('delete') }],
  ['/runs/get', { GET: run('read') }],
  ['/runs/search', { POST: { check: signedIn, after: 'filter-runs', stricter: true } }],
  ['/runs/log-metric', { POST: run('update') }],
  ['/runs/log-parameter', { POST: run('update') }],
  ['/runs/set-tag', { POST: run('update') }],
  ['/runs/delete-tag', { POST: run('update') }],
  ['/runs/log-batch', { POST: run('update') }],
  ['/runs/log-model', { POST: run('update') }],
  ['/runs/log-inputs', { POST: { ...run('update'), stricter: true } }],
  ['/runs/outputs', { POST: run('update') }],
  ['/metrics/get-history', { GET: run('read') }],
  ['/metrics/get-history-bulk-interval', { GET: { check: { kind: 'experiment', by: 'run_ids', need: 'read' }, stricter: true } }],
  ['/artifacts/list', { GET: run('read') }],
  // ---- logged models (MLflow 3: LOGGED_MODEL_BEFORE_REQUEST_HANDLERS, filter_search_logged_models) ----
  ['/logged-models', { POST: exp('update') }],
  ['/logged-models/search', { POST: { check: signedIn, after: 'filter-logged-models' } }],
  ['/logged-models/{model_id}', { GET: loggedModel('read'), PATCH: loggedModel('update'), DELETE: loggedModel('delete') }],
  ['/logged-models/{model_id}/tags', { PATCH: loggedModel('update') }],
  ['/logged-models/{model_id}/tags/{tag_key}', { DELETE: loggedModel('delete') }],
  ['/logged-models/{model_id}/params', { POST: loggedModel('update') }],
  ['/logged-models/{model_id}/artifacts/directories', { GET: loggedModel('read') }],
  // ---- traces (MLflow 2.17 checks sign-in only; starting and deleting name the experiment, so mlf checks it) ----
  ['/traces', { POST: { ...exp('update'), stricter: true }, GET: { check: signedIn } }],
  ['/traces/{request_id}', { PATCH: { check: signedIn }, GET: trace('read') }],
  ['/traces/{request_id}/info', { GET: { check: signedIn } }],
  ['/traces/{request_id}/tags', { PATCH: { check: signedIn }, DELETE: { check: signedIn } }],
  ['/traces/delete-traces', { POST: { ...exp('delete'), stricter: true } }],
  // ---- MLflow 3's traces and assessments (its validate_can_*_trace*: the trace's experiment decides) ----
  ['/traces/get', { GET: trace('read') }],
  ['/traces/batchGet', { GET: { check: { kind: 'experiment', by: 'trace_ids', need: 'read' } } }],
  ['/traces/batchGetInfos', { POST: { check: { kind: 'experiment', by: 'trace_ids', need: 'read' } } }],
  ['/traces/search', { POST: { check: { kind: 'experiment', by: 'locations', need: 'read' } } }],
  ['/traces/link-to-run', { POST: run('update') }],
  ['/traces/link-prompts', { POST: trace('update') }],
  ['/traces/{request_id}/assessments', { POST: trace('update') }],
  ['/traces/{request_id}/assessments/{assessment_id}', { GET: trace('read'), PATCH: trace('update'), DELETE: trace('update') }],
  // ---- model registry ----
  ['/registered-models/create', { POST: { check: signedIn, after: 'grant-model-manage' } }],
  ['/registered-models/rename', { POST: model('update') }],
  ['/registered-models/update', { PATCH: model('update') }],
  ['/registered-models/delete', { DELETE: { ...model('delete'), after: 'drop-model-permissions' } }],
  ['/registered-models/get', { GET: model('read') }],
  ['/registered-models/search', { GET: { check: signedIn, after: 'filter-models' } }],
  ['/registered-models/get-latest-versions', { POST: model('read'), GET: model('read') }],
  ['/registered-models/set-tag', { POST: model('update') }],
  ['/registered-models/delete-tag', { DELETE: model('update') }],
  ['/registered-models/alias', { POST: model('update'), DELETE: model('delete'), GET: model('read') }],
  ['/model-versions/create', { POST: model('update') }],
  ['/model-versions/update', { PATCH: model('update') }],
  ['/model-versions/transition-stage', { POST: model('update') }],
  ['/model-versions/delete', { DELETE: model('delete') }],
  ['/model-versions/get', { GET: model('read') }],
  ['/model-versions/search', { GET: { check: signedIn, after: 'filter-model-versions', stricter: true } }],
  ['/model-versions/get-download-uri', { GET: model('read') }],
  ['/model-versions/set-tag', { POST: model('update') }],
  ['/model-versions/delete-tag', { DELETE: model('delete') }],
  // ---- the auth endpoints themselves ----
  ['/users/create', { POST: { check: { kind: 'admin' } } }],
  ['/users/get', { GET: { check: { kind: 'self' } } }],
  ['/users/update-password', { PATCH: { check: { kind: 'self' } } }],
  ['/users/update-admin', { PATCH: { check: { kind: 'admin' } } }],
  ['/users/delete', { DELETE: { check: { kind: 'admin' } } }],
  ['/experiments/permissions/create', { POST: exp('manage') }],
  ['/experiments/permissions/get', { GET: exp('manage') }],
  ['/experiments/permissions/update', { PATCH: exp('manage') }],
  ['/experiments/permissions/delete', { DELETE: exp('manage') }],
  ['/registered-models/permissions/create', { POST: model('manage') }],
  ['/registered-models/permissions/get', { GET: model('manage') }],
  ['/registered-models/permissions/update', { PATCH: model('manage') }],
  ['/registered-models/permissions/delete', { DELETE: model('manage') }],
]);

/**
 * The proxied artifact endpoints (`/mlflow-artifacts/artifacts/<experiment_id>/...`): the experiment
 * is the path's first segment when it is a number; without one (or for a listing) the default
 * permission decides, as in MLflow. Multipart-upload endpoints need sign-in only, as in MLflow.
 */
export const ARTIFACT_RULES: Readonly<Record<string, Need>> = { GET: 'read', HEAD: 'read', PUT: 'update', DELETE: 'manage' };

/** Where `/api/3.0` differs from `/api/2.0` on the same path: `POST /traces` is StartTraceV3 there. */
export const RULES_V3: RuleTable = new Map<string, Record<string, Rule>>([['/traces', { POST: { check: { kind: 'experiment', by: 'trace_location', need: 'update' } } }]]);

/** OTLP span ingestion (`POST /v1/traces`) writes into the experiment its header names. */
export const OTLP_RULE: Rule = { check: { kind: 'experiment', by: 'experiment_header', need: 'update' } };

/**
 * Endpoints MLflow serves only under `/ajax-api/2.0/mlflow` for its UI, which are not in the API
 * route table: the logged model's file download reads the model's experiment, as in MLflow 3's
 * `LOGGED_MODEL_BEFORE_REQUEST_VALIDATORS`.
 */
export const AJAX_RULES: RuleTable = new Map<string, Record<string, Rule>>([
  ['/logged-models/{model_id}/artifacts/files', { GET: loggedModel('read') }],
]);

/**
 * The rule for `method` on `rest` (`v3`: under `/api/3.0`; `ajax`: under `/ajax-api`), HEAD falling
 * back to GET as the router does.
 */
export function ruleFor(rest: string, method: string, at: { v3?: boolean; ajax?: boolean } = {}): Rule | undefined {
  const over = at.v3 ? RULES_V3.get(rest)?.[method] : undefined;
  if (over) return over;
  const key = templateRouteKey(rest);
  const e = RULES.get(rest) ?? RULES.get(key) ?? (at.ajax ? AJAX_RULES.get(key) : undefined);
  if (!e) return undefined;
  return e[method] ?? (method === 'HEAD' ? e.GET : undefined);
}

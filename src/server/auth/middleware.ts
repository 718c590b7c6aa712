/**
 * The basic-auth layer, as MLflow's `_before_request` / `_after_request`: sign in (HTTP Basic) on every
 * request but `/health` and static files, admins pass, everyone else is checked against the rule
 * table ({@link RULES}) and, after a successful reply, the rule's follow-up runs (the creator gets
 * MANAGE, searches are filtered to what the user may read).
 *
 * Refusals are MLflow's JSON errors: 401 `UNAUTHENTICATED` with `WWW-Authenticate: Basic
 * realm="mlflow"`, 403 `PERMISSION_DENIED`. (MLflow answers both as plain text; the message is the
 * same, and a JSON error lets every MLflow client report the code.)
 */
import { MlfError } from '../../lib/errors.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { API3_PREFIXES, API_PREFIXES, ARTIFACT_PREFIXES, errorReply, jsonReply, type Middleware } from '../app.js';
import type { HandleFn, Reply, Req } from '../http.js';
import type { Logger } from '../logger.js';
import { missing, readParams, type Params } from '../request.js';
import type { AuthStore, UserRow } from './auth-store.js';
import { Authenticator, parseBasicAuth } from './authenticator.js';
import { BufferedReq, ParamsReq } from './buffered-req.js';
import type { AuthConfig } from './config.js';
import { PERMISSIONS, type Need, type PermissionName } from './permissions.js';
import { ARTIFACT_RULES, OTLP_RULE, ruleFor, type After, type Check, type Rule } from './rules.js';
import { OTLP_TRACES_PATH, MLFLOW_EXPERIMENT_ID_HEADER } from '../routes/otlp.js';
import { segment } from '../routes/traces-v3.js';
import { joinedText } from '../json-pieces.js';
import { loggedModelPathParams } from '../routes/logged-models.js';
import { traceIdInPath } from '../routes/traces.js';

export interface AuthLayerOptions {
  auth: AuthStore;
  config: Pick<AuthConfig, 'defaultPermission'>;
  /** The tracking store: a run's permission is its experiment's. */
  tracking: TrackingStore;
  logger: Logger;
  /** Default: a new one on `auth` (tests pass their own to read its counters). */
  authenticator?: Authenticator;
  /**
   * True if the app serves this method on this API path (after the prefix). A served route without a rule is refused
   * to non-admins (fail closed), so an endpoint added without a rule is never open to everyone.
   */
  isRoute?: (rest: string, method: string) => boolean;
}

export const NOT_AUTHENTICATED_MESSAGE =
  'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.';

function unauthenticated(): Reply {
  const r = errorReply(new MlfError(NOT_AUTHENTICATED_MESSAGE, 'UNAUTHENTICATED'));
  return { ...r, headers: { ...r.headers, 'WWW-Authenticate': 'Basic realm="mlflow"' } };
}

function forbidden(): Reply {
  return errorReply(new MlfError('Permission denied', 'PERMISSION_DENIED'));
}

/** MLflow's `is_unprotected_route`. */
function isUnprotected(path: string): boolean {
  return path.startsWith('/static') || path.startsWith('/favicon.ico') || path.startsWith('/health');
}

/** The path after an API prefix, or undefined. */
function apiRest(path: string, prefixes: readonly string[]): string | undefined {
  for (const p of prefixes) if (path.startsWith(p) && path.charCodeAt(p.length) === 47) return path.slice(p.length);
  return undefined;
}

/** MLflow's `_get_request_param`: a required string parameter (`run_id` falls back to `run_uuid`). */
function param(p: Params, name: string): string {
  let v = p[name];
  if (v === undefined && name === 'run_id') v = p.run_uuid;
  if (v === undefined || v === null) throw missing(name === 'run_id' ? 'run_uuid' : name);
  return String(v);
}

/** How each search's results are filtered: the list, the key of an item, MLflow's default page size. */
const FILTERS: Record<Extract<After, `filter-${string}`>, { list: string; on: 'experiment' | 'model'; key(item: any): string; defaultMax: number }> = {
  'filter-experiments': { list: 'experiments', on: 'experiment', key: (e) => String(e.experiment_id), defaultMax: 1000 },
  'filter-runs': { list: 'runs', on: 'experiment', key: (r) => String(r.info?.experiment_id), defaultMax: 1000 },
  'filter-models': { list: 'registered_models', on: 'model', key: (m) => String(m.name), defaultMax: 100 },
  'filter-model-versions': { list: 'model_versions', on: 'model', key: (v) => String(v.name), defaultMax: 10000 },
  'filter-logged-models': { list: 'models', on: 'experiment', key: (m) => String(m.info?.experiment_id), defaultMax: 100 },
};

/** True if a route-table entry answers `method` (HEAD as GET, as the router does). */
export function servesMethod(entry: Readonly<Partial<Record<string, unknown>>> | undefined, method: string): boolean {
  return entry !== undefined && (entry[method] !== undefined || (method === 'HEAD' && entry.GET !== undefined));
}

export function authLayer(opts: AuthLayerOptions): Middleware {
  const { auth, tracking, logger } = opts;
  const authenticator = opts.authenticator ?? new Authenticator(auth);
  const fallback: PermissionName = opts.config.defaultPermission;

  const experimentPermission = async (experimentId: string, user: UserRow) =>
    PERMISSIONS[(await auth.experimentPermissionOf(experimentId, user.username)) ?? fallback];
  const modelPermission = async (name: string, user: UserRow) => PERMISSIONS[(await auth.registeredModelPermissionOf(name, user.username)) ?? fallback];

  const traces = tracking.traces;
  /** The experiment of a trace; a missing trace is the route's 404 (no store: the route's 400). */
  const traceExperiment = async (traceId: string): Promise<string[]> => (traces ? [(await traces.getTraceInfo(traceId)).experimentId] : []);
  const experimentIds = async (check: Extract<Check, { kind: 'experiment' }>, p: Params, req: Req): Promise<string[]> => {
    switch (check.by) {
      case 'trace_id': {
        const inPath = traceIdInPath(req.path);
        const id = inPath !== undefined ? segment(inPath) : param(p, 'trace_id');
        return traceExperiment(id);
      }
      case 'trace_ids': {
        const ids = Array.isArray(p.trace_ids) ? p.trace_ids.map(String) : p.trace_ids === undefined ? [] : [String(p.trace_ids)];
        const out = new Set<string>();
        for (const id of ids) {
          try {
            for (const e of await traceExperiment(id)) out.add(e);
          } catch (e) {
            // Unknown ids are left out of the answer, as the route leaves them out.
            if (!(e instanceof MlfError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST')) throw e;
          }
        }
        return [...out];
      }
      case 'locations': {
        const locs = Array.isArray(p.locations) ? p.locations : [];
        return locs.flatMap((l) => {
          const id = (l as { mlflow_experiment?: { experiment_id?: unknown } })?.mlflow_experiment?.experiment_id;
          return id === undefined || id === null ? [] : [String(id)];
        });
      }
      case 'trace_location': {
        const id = (p.trace as { trace_info?: { trace_location?: { mlflow_experiment?: { experiment_id?: unknown } } } })?.trace_info?.trace_location?.mlflow_experiment?.experiment_id;
        if (id === undefined || id === null || id === '') throw missing('trace.trace_info.trace_location.mlflow_experiment.experiment_id');
        return [String(id)];
      }
      case 'experiment_header': {
        const id = req.header(MLFLOW_EXPERIMENT_ID_HEADER);
        return id ? [id] : [];
      }
      case 'model_id': {
        const models = tracking.loggedModels;
        if (!models) return []; // the route answers that the store has no logged models
        return [(await models.get(loggedModelPathParams(req.path).modelId, true)).info.experimentId];
      }
      case 'experiment_id':
        return [param(p, 'experiment_id')];
      case 'experiment_name': {
        const name = param(p, 'experiment_name');
        const e = await tracking.getExperimentByName(name);
        if (!e) throw new MlfError(`Could not find experiment with name ${name}`, 'RESOURCE_DOES_NOT_EXIST');
        return [e.experimentId];
      }
      case 'run_id':
        return [(await tracking.getRun(param(p, 'run_id'))).info.experimentId];
      case 'run_ids': {
        const ids = p.run_ids;
        const list = Array.isArray(ids) ? ids.map(String) : ids === undefined ? [] : [String(ids)];
        const out = new Set<string>();
        for (const id of list) out.add((await tracking.getRun(id)).info.experimentId);
        return [...out];
      }
    }
  };

  const allowed = async (check: Check, p: Params, user: UserRow, req: Req): Promise<boolean> => {
    switch (check.kind) {
      case 'signed-in':
        return true;
      case 'admin':
        return false; // admins never get here
      case 'self':
        return param(p, 'username') === user.username;
      case 'experiment':
        for (const id of await experimentIds(check, p, req)) if (!(await experimentPermission(id, user))[check.need]) return false;
        return true;
      case 'model':
        return (await modelPermission(param(p, 'name'), user))[check.need];
    }
  };

  /** Keeps the items the user may read, fetching further pages until the page is full again. */
  const filterSearch = async (spec: (typeof FILTERS)[keyof typeof FILTERS], req: Req, p: Params, reply: Reply, next: HandleFn, user: UserRow): Promise<Reply> => {
    const perms = spec.on === 'experiment' ? await auth.experimentPermissionsOf(user.username) : await auth.registeredModelPermissionsOf(user.username);
    const canRead = (item: unknown) => PERMISSIONS[perms.get(spec.key(item)) ?? fallback].read;
    const body = JSON.parse(joinedText(reply.body)) as Record<string, unknown>;
    const items = ((body[spec.list] as unknown[]) ?? []).filter(canRead);
    const max = p.max_results === undefined ? spec.defaultMax : Number(p.max_results);
    let token = body.next_page_token as string | undefined;
    while (items.length < max && token) {
      const page = await next(new ParamsReq(req, { ...p, page_token: token, max_results: max - items.length }));
      if (page.status !== 200) break;
      const more = JSON.parse(joinedText(page.body)) as Record<string, unknown>;
      const got = (more[spec.list] as unknown[]) ?? [];
      items.push(...got.filter(canRead));
      token = got.length ? (more.next_page_token as string | undefined) : undefined;
    }
    const out: Record<string, unknown> = { ...body };
    delete out[spec.list];
    delete out.next_page_token;
    if (items.length) out[spec.list] = items;
    if (token) out.next_page_token = token;
    return jsonReply(JSON.stringify(out));
  };

  const after = async (what: After, req: Req, p: Params, reply: Reply, next: HandleFn, user: UserRow): Promise<Reply> => {
    switch (what) {
      case 'grant-experiment-manage': {
        const id = String(JSON.parse(joinedText(reply.body)).experiment_id);
        await auth.createExperimentPermission(id, user.username, 'MANAGE');
        return reply;
      }
      case 'grant-model-manage': {
        const name = String(JSON.parse(joinedText(reply.body)).registered_model?.name);
        await auth.createRegisteredModelPermission(name, user.username, 'MANAGE');
        return reply;
      }
      case 'drop-model-permissions':
        // MLflow drops only the sender's row (and fails the reply if there is none); mlf drops every
        // row for the name, which is MLflow's stated reason: a new model of that name starts clean.
        await auth.deleteRegisteredModelPermissions(param(p, 'name'));
        return reply;
      default:
        if (user.isAdmin) return reply;
        return filterSearch(FILTERS[what], req, p, reply, next, user);
    }
  };

  const signIn = async (req: Req): Promise<UserRow | Reply> => {
    const creds = parseBasicAuth(req.header('authorization'));
    if (creds === undefined) return unauthenticated();
    if (creds === null) {
      logger.warning(`Malformed Authorization header on ${req.method} ${req.path}`);
      return unauthenticated();
    }
    const user = await authenticator.authenticate(creds);
    if (!user) {
      logger.warning(`Failed sign-in for user '${creds.username}' on ${req.method} ${req.path}`);
      return unauthenticated();
    }
    return user;
  };

  return async (req0, next) => {
    if (isUnprotected(req0.path)) return next(req0);
    const signedIn = await signIn(req0);
    if (!('id' in signedIn)) return signedIn;
    const user = signedIn;

    if (req0.path === OTLP_TRACES_PATH && req0.method === 'POST') {
      if (!user.isAdmin && !(await allowed(OTLP_RULE.check, {}, user, req0))) return forbidden();
      return next(req0);
    }
    const rest3 = apiRest(req0.path, API3_PREFIXES);
    const rest = rest3 ?? apiRest(req0.path, API_PREFIXES);
    if (rest === undefined) {
      if (user.isAdmin) return next(req0);
      const art = apiRest(req0.path, ARTIFACT_PREFIXES);
      const need: Need | undefined = art?.startsWith('/artifacts/') ? ARTIFACT_RULES[req0.method] : art === '/artifacts' ? 'read' : undefined;
      if (need) {
        const m = art!.startsWith('/artifacts/') ? /^\/artifacts\/(\d+)\//.exec(art!) : null;
        const perm = m ? await experimentPermission(m[1]!, user) : PERMISSIONS[fallback];
        if (!perm[need]) return forbidden();
      }
      return next(req0);
    }

    const rule: Rule | undefined = ruleFor(rest, req0.method, { v3: rest3 !== undefined, ajax: req0.path.startsWith('/ajax-api/') });
    if (!rule) {
      if (user.isAdmin || !opts.isRoute?.(rest, req0.method)) return next(req0); // not a route: the router answers 404/405
      logger.error(`No auth rule for ${req0.method} ${rest}: refused to non-admins`);
      return forbidden();
    }
    const kind = rule.check.kind;
    const needsParams = (!user.isAdmin && kind !== 'signed-in' && kind !== 'admin') || rule.after !== undefined;
    const req = needsParams ? new BufferedReq(req0) : req0;
    const p = needsParams ? await readParams(req, ['run_ids', 'order_by', 'experiment_ids', 'trace_ids']) : {};
    if (!user.isAdmin && !(await allowed(rule.check, p, user, req))) return forbidden();
    const reply = await next(req);
    if (rule.after === undefined || reply.status < 200 || reply.status >= 300) return reply;
    return after(rule.after, req, p, reply, next, user);
  };
}

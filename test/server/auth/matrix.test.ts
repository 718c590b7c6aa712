/**
 * Every endpoint × permission level, from one table: for each route the server serves, a sample
 * request; the expected answer follows from the route's rule (src/server/auth/rules.ts) and MLflow's
 * permission levels. A route without a rule or without a sample fails here, so a new endpoint cannot
 * go unchecked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES, type Rule } from '../../../src/server/auth/rules.js';
import { PERMISSIONS, PERMISSION_NAMES, type PermissionName } from '../../../src/server/auth/permissions.js';
import { ADMIN, makeAuthServer, type AuthTestServer, type Caller } from './helpers.js';

interface Fx {
  n: number;
  experimentId: string;
  experimentName: string;
  runId: string;
  model: string;
  source: string;
  self: string;
  /** A logged model (tag `tagged`) in the experiment. */
  loggedModel: string;
  traceId: string;
  /** An assessment (feedback) on the trace. */
  assessmentId: string;
}

type Sample = (fx: Fx) => Record<string, unknown>;

const BOB = { username: 'bob', password: 'bob-pw-1' };

// One sample request per route and method; `status` is the answer when the user is allowed (200 unless given).
const SAMPLES: Record<string, Record<string, Sample>> = {
  '/experiments/create': { POST: (f) => ({ name: `new-exp-${f.n}` }) },
  '/experiments/get': { GET: (f) => ({ experiment_id: f.experimentId }) },
  '/experiments/get-by-name': { GET: (f) => ({ experiment_name: f.experimentName }) },
  '/experiments/search': { GET: () => ({ max_results: 10 }), POST: () => ({ max_results: 10 }) },
  '/experiments/list': { GET: () => ({}) },
  '/experiments/delete': { POST: (f) => ({ experiment_id: f.experimentId }) },
  '/experiments/restore': { POST: (f) => ({ experiment_id: f.experimentId }) },
  '/experiments/update': { POST: (f) => ({ experiment_id: f.experimentId, new_name: `renamed-${f.n}` }) },
  '/experiments/set-experiment-tag': { POST: (f) => ({ experiment_id: f.experimentId, key: 'k', value: 'v' }) },
  '/experiments/delete-experiment-tag': { POST: (f) => ({ experiment_id: f.experimentId, key: 'tagged' }) },
  '/runs/create': { POST: (f) => ({ experiment_id: f.experimentId }) },
  '/runs/update': { POST: (f) => ({ run_id: f.runId, status: 'FINISHED' }) },
  '/runs/delete': { POST: (f) => ({ run_id: f.runId }) },
  '/runs/restore': { POST: (f) => ({ run_id: f.runId }) },
  '/runs/get': { GET: (f) => ({ run_id: f.runId }) },
  '/runs/search': { POST: (f) => ({ experiment_ids: [f.experimentId] }) },
  '/runs/log-metric': { POST: (f) => ({ run_id: f.runId, key: 'm', value: 1, timestamp: 1, step: 0 }) },
  '/runs/log-parameter': { POST: (f) => ({ run_id: f.runId, key: 'p', value: 'v' }) },
  '/runs/set-tag': { POST: (f) => ({ run_id: f.runId, key: 't', value: 'v' }) },
  '/runs/delete-tag': { POST: (f) => ({ run_id: f.runId, key: 'tagged' }) },
  '/runs/log-batch': { POST: (f) => ({ run_id: f.runId, params: [{ key: 'b', value: '1' }] }) },
  '/runs/log-model': { POST: (f) => ({ run_id: f.runId, model_json: JSON.stringify({ artifact_path: 'model', flavors: {}, run_id: f.runId, utc_time_created: '2024-01-01 00:00:00.000000' }) }) },
  '/runs/log-inputs': { POST: (f) => ({ run_id: f.runId, models: [{ model_id: f.loggedModel }] }) },
  '/runs/outputs': { POST: (f) => ({ run_id: f.runId, models: [{ model_id: f.loggedModel, step: 0 }] }) },
  '/metrics/get-history': { GET: (f) => ({ run_id: f.runId, metric_key: 'm' }) },
  '/metrics/get-history-bulk-interval': { GET: (f) => ({ run_ids: [f.runId], metric_key: 'm' }) },
  '/artifacts/list': { GET: (f) => ({ run_id: f.runId }) },
  // Paths with `{model_id}`/`{tag_key}` are filled from the fixture (see `urlOf`).
  '/logged-models': { POST: (f) => ({ experiment_id: f.experimentId }) },
  '/logged-models/search': { POST: (f) => ({ experiment_ids: [f.experimentId] }) },
  '/logged-models/{model_id}': { GET: () => ({}), PATCH: () => ({ status: 'LOGGED_MODEL_READY' }), DELETE: () => ({}) },
  '/logged-models/{model_id}/tags': { PATCH: () => ({ tags: [{ key: 'k', value: 'v' }] }) },
  '/logged-models/{model_id}/tags/{tag_key}': { DELETE: () => ({}) },
  '/logged-models/{model_id}/params': { POST: () => ({ params: [{ key: 'p', value: 'v' }] }) },
  '/logged-models/{model_id}/artifacts/directories': { GET: () => ({}) },
  '/registered-models/create': { POST: (f) => ({ name: `new-model-${f.n}` }) },
  '/registered-models/rename': { POST: (f) => ({ name: f.model, new_name: `renamed-model-${f.n}` }) },
  '/registered-models/update': { PATCH: (f) => ({ name: f.model, description: 'd' }) },
  '/registered-models/delete': { DELETE: (f) => ({ name: f.model }) },
  '/registered-models/get': { GET: (f) => ({ name: f.model }) },
  '/registered-models/search': { GET: () => ({}) },
  '/registered-models/get-latest-versions': { POST: (f) => ({ name: f.model }), GET: (f) => ({ name: f.model }) },
  '/registered-models/set-tag': { POST: (f) => ({ name: f.model, key: 'k', value: 'v' }) },
  '/registered-models/delete-tag': { DELETE: (f) => ({ name: f.model, key: 'tagged' }) },
  '/registered-models/alias': {
    POST: (f) => ({ name: f.model, alias: 'second', version: '1' }),
    DELETE: (f) => ({ name: f.model, alias: 'champ' }),
    GET: (f) => ({ name: f.model, alias: 'champ' }),
  },
  '/model-versions/create': { POST: (f) => ({ name: f.model, source: f.source, run_id: f.runId }) },
  '/model-versions/update': { PATCH: (f) => ({ name: f.model, version: '1', description: 'd' }) },
  '/model-versions/transition-stage': { POST: (f) => ({ name: f.model, version: '1', stage: 'Staging', archive_existing_versions: false }) },
  '/model-versions/delete': { DELETE: (f) => ({ name: f.model, version: '1' }) },
  '/model-versions/get': { GET: (f) => ({ name: f.model, version: '1' }) },
  '/model-versions/search': { GET: () => ({}) },
  '/model-versions/get-download-uri': { GET: (f) => ({ name: f.model, version: '1' }) },
  '/model-versions/set-tag': { POST: (f) => ({ name: f.model, version: '1', key: 'k', value: 'v' }) },
  '/model-versions/delete-tag': { DELETE: (f) => ({ name: f.model, version: '1', key: 'tagged' }) },
  '/traces': { POST: (f) => ({ experiment_id: f.experimentId, timestamp_ms: 1 }), GET: (f) => ({ experiment_ids: [f.experimentId] }) },
  '/traces/{request_id}': { PATCH: () => ({ timestamp_ms: 5, status: 'OK' }), GET: () => ({}) },
  '/traces/get': { GET: (f) => ({ trace_id: f.traceId }) },
  '/traces/batchGet': { GET: (f) => ({ trace_ids: [f.traceId] }) },
  '/traces/batchGetInfos': { POST: (f) => ({ trace_ids: [f.traceId] }) },
  '/traces/search': { POST: (f) => ({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: f.experimentId } }] }) },
  '/traces/link-to-run': { POST: (f) => ({ trace_ids: [f.traceId], run_id: f.runId }) },
  '/traces/link-prompts': { POST: (f) => ({ trace_id: f.traceId, prompt_versions: [{ name: f.model, version: '1' }] }) },
  '/traces/{request_id}/assessments': { POST: () => ({ assessment: { assessment_name: 'q', source: { source_type: 'HUMAN', source_id: 'x' }, feedback: { value: 1 } } }) },
  '/traces/{request_id}/assessments/{assessment_id}': {
    GET: () => ({}),
    PATCH: () => ({ assessment: { rationale: 'r' }, update_mask: 'rationale' }),
    DELETE: () => ({}),
  },
  '/traces/{request_id}/info': { GET: () => ({}) },
  '/traces/{request_id}/tags': { PATCH: () => ({ key: 'k', value: 'v' }), DELETE: () => ({ key: 'tagged' }) },
  '/traces/delete-traces': { POST: (f) => ({ experiment_id: f.experimentId, request_ids: [f.traceId] }) },
  '/users/create': { POST: (f) => ({ username: `user-${f.n}`, password: 'pw' }) },
  '/users/get': { GET: (f) => ({ username: f.self }) },
  // The sender's own password, set to what it was, so the next requests still sign in.
  '/users/update-password': { PATCH: (f) => ({ username: f.self, password: f.self === BOB.username ? BOB.password : ADMIN.password }) },
  '/users/update-admin': { PATCH: () => ({ username: 'carol', is_admin: false }) },
  '/users/delete': { DELETE: (f) => ({ username: `victim-${f.n}` }) },
  '/experiments/permissions/create': { POST: (f) => ({ experiment_id: f.experimentId, username: `victim-${f.n}`, permission: 'READ' }) },
  '/experiments/permissions/get': { GET: (f) => ({ experiment_id: f.experimentId, username: 'carol' }) },
  '/experiments/permissions/update': { PATCH: (f) => ({ experiment_id: f.experimentId, username: 'carol', permission: 'EDIT' }) },
  '/experiments/permissions/delete': { DELETE: (f) => ({ experiment_id: f.experimentId, username: 'carol' }) },
  '/registered-models/permissions/create': { POST: (f) => ({ name: f.model, username: `victim-${f.n}`, permission: 'READ' }) },
  '/registered-models/permissions/get': { GET: (f) => ({ name: f.model, username: 'carol' }) },
  '/registered-models/permissions/update': { PATCH: (f) => ({ name: f.model, username: 'carol', permission: 'EDIT' }) },
  '/registered-models/permissions/delete': { DELETE: (f) => ({ name: f.model, username: 'carol' }) },
};

/** State a sample needs that the fixture does not have (made as admin before the request). */
const BEFORE: Record<string, (fx: Fx, admin: Caller) => Promise<unknown>> = {
  'POST /experiments/restore': (f, admin) => admin('POST', 'experiments/delete', { experiment_id: f.experimentId }),
  'POST /runs/restore': (f, admin) => admin('POST', 'runs/delete', { run_id: f.runId }),
};

/** The request path of a route: templates filled from the fixture. */
function urlOf(p: string, f: Fx): string {
  return `/api/2.0/mlflow${p.replace('{model_id}', f.loggedModel).replace('{tag_key}', 'tagged').replace('{request_id}', f.traceId).replace('{assessment_id}', f.assessmentId)}`;
}

/** What a user with `level` on the resource gets: allowed, or refused with 403. */
function expectedAllowed(rule: Rule, level: PermissionName | 'admin'): boolean {
  if (level === 'admin') return true;
  const c = rule.check;
  if (c.kind === 'signed-in' || c.kind === 'self') return true;
  if (c.kind === 'admin') return false;
  return PERMISSIONS[level][c.need];
}

describe('basic-auth: every endpoint × permission level', () => {
  let srv: AuthTestServer;
  let admin: Caller;
  let n = 0;

  beforeAll(async () => {
    srv = await makeAuthServer({ defaultPermission: 'NO_PERMISSIONS' });
    admin = srv.as(ADMIN);
    for (const u of [BOB.username, 'carol']) expect((await admin('POST', 'users/create', { username: u, password: u === 'bob' ? BOB.password : 'c' })).status).toBe(200);
  });
  afterAll(() => srv?.close());

  /** A fresh experiment, run and model (with version 1, alias `champ` and tags), bob at `level` on them. */
  async function fixture(level: PermissionName | 'admin'): Promise<Fx> {
    const i = ++n;
    const ok = async (m: string, r: string, b: Record<string, unknown>) => {
      const res = await admin(m, r, b);
      if (res.status !== 200) throw new Error(`${m} ${r}: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json;
    };
    const experimentName = `exp-${i}`;
    const { experiment_id: experimentId } = await ok('POST', 'experiments/create', { name: experimentName, tags: [{ key: 'tagged', value: '1' }] });
    const { run } = await ok('POST', 'runs/create', { experiment_id: experimentId, tags: [{ key: 'tagged', value: '1' }] });
    const model = `model-${i}`;
    await ok('POST', 'registered-models/create', { name: model, tags: [{ key: 'tagged', value: '1' }] });
    const source = `${run.info.artifact_uri}/model`;
    await ok('POST', 'model-versions/create', { name: model, source, run_id: run.info.run_id, tags: [{ key: 'tagged', value: '1' }] });
    await ok('POST', 'registered-models/alias', { name: model, alias: 'champ', version: '1' });
    const loggedModel = (await ok('POST', 'logged-models', { experiment_id: experimentId, tags: [{ key: 'tagged', value: '1' }] })).model.info.model_id;
    const { trace_info: trace } = await ok('POST', 'traces', { experiment_id: experimentId, timestamp_ms: 1, tags: [{ key: 'tagged', value: '1' }] });
    const assessmentId = (
      await ok('POST', `traces/${trace.request_id}/assessments`, { assessment: { assessment_name: 'a', source: { source_type: 'HUMAN', source_id: 'x' }, feedback: { value: true } } })
    ).assessment.assessment_id;
    // Inserted directly: a user who never signs in needs no (slow) scrypt hash.
    await srv.auth.db.insertInto('users').values({ username: `victim-${i}`, password_hash: 'none', is_admin: 0 }).execute();
    for (const [kind, key] of [['experiments', { experiment_id: experimentId }], ['registered-models', { name: model }]] as const) {
      await ok('POST', `${kind}/permissions/create`, { ...key, username: 'carol', permission: 'READ' });
      if (level !== 'admin') await ok('POST', `${kind}/permissions/create`, { ...key, username: BOB.username, permission: level });
    }
    return { n: i, experimentId, experimentName, runId: run.info.run_id, model, source, self: level === 'admin' ? ADMIN.username : BOB.username, loggedModel, traceId: trace.request_id, assessmentId };
  }

  it('has a rule and a sample for every route the server serves, and no rule for a route it does not serve', () => {
    const served = [...srv.app.routes].flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p}`));
    const ruled = [...RULES].flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p}`));
    const sampled = Object.entries(SAMPLES).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m} ${p}`));
    expect(served.length).toBeGreaterThan(50);
    expect(new Set(ruled)).toEqual(new Set(served));
    expect(new Set(sampled)).toEqual(new Set(served));
  });

  const cases = [...RULES].flatMap(([p, methods]) => Object.entries(methods).map(([m, rule]) => ({ p, m, rule })));
  for (const { p, m, rule } of cases.filter((c) => !process.env.MLF_AUTH_MATRIX_ONLY || c.p.includes(process.env.MLF_AUTH_MATRIX_ONLY))) {
    it(`${m} ${p}: ${PERMISSION_NAMES.join(', ')} and admin get what the rule says`, async () => {
      for (const level of [...PERMISSION_NAMES, 'admin'] as const) {
        const fx = await fixture(level);
        const caller = srv.as(level === 'admin' ? ADMIN : BOB);
        await BEFORE[`${m} ${p}`]?.(fx, admin);
        const res = await caller(m, urlOf(p, fx), SAMPLES[p]![m]!(fx));
        const allowed = expectedAllowed(rule, level);
        const what = `${level}: ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`;
        if (allowed) expect(res.status, what).toBe(200);
        else {
          expect(res.status, what).toBe(403);
          expect(res.json, what).toEqual({ error_code: 'PERMISSION_DENIED', message: 'Permission denied' });
        }
      }
    }, 60_000);
  }
});

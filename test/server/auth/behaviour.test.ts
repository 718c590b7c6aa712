import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_AUTHENTICATED_MESSAGE } from '../../../src/server/auth/middleware.js';
import { ADMIN, makeAuthServer, type AuthTestServer, type Caller } from './helpers.js';

const ALICE = { username: 'alice', password: 'alice-secret-pw' };
const BOB = { username: 'bob', password: 'bob-secret-pw' };

describe('basic-auth: sign-in, ownership, filtered searches, auth endpoints', () => {
  let srv: AuthTestServer;
  let admin: Caller;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    srv = await makeAuthServer({ defaultPermission: 'READ' });
    admin = srv.as(ADMIN);
    alice = srv.as(ALICE);
    bob = srv.as(BOB);
    for (const u of [ALICE, BOB]) expect((await admin('POST', 'users/create', u)).status).toBe(200);
  });
  afterAll(() => srv?.close());

  it('answers 401 with WWW-Authenticate without credentials, with a malformed header, an unknown user or a wrong password', async () => {
    const anon = srv.as();
    const variants = [
      await anon('GET', 'experiments/search'),
      await anon('GET', 'experiments/search', undefined, { Authorization: 'Basic !!!notbase64' }),
      await anon('GET', 'experiments/search', undefined, { Authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }),
      await anon('GET', 'experiments/search', undefined, { Authorization: 'Bearer abc' }),
      await srv.as({ username: 'nobody', password: 'x' })('GET', 'experiments/search'),
      await srv.as({ username: ALICE.username, password: 'wrong-guess-123' })('GET', 'experiments/search'),
    ];
    for (const r of variants) {
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Basic realm="mlflow"');
      expect(r.json).toEqual({ error_code: 'UNAUTHENTICATED', message: NOT_AUTHENTICATED_MESSAGE });
    }
  });

  it('logs failed sign-ins with the user name and never the password', () => {
    const log = srv.logLines.join('\n');
    expect(log).toContain("Failed sign-in for user 'alice'");
    expect(log).toContain('Malformed Authorization header');
    expect(log).not.toContain('wrong-guess-123');
    expect(log).not.toContain(ALICE.password);
    expect(log).not.toContain(ADMIN.password);
  });

  it('serves /health without sign-in, but not /version (as MLflow)', async () => {
    expect((await srv.as()('GET', '/health')).status).toBe(200);
    expect((await srv.as()('GET', '/version')).status).toBe(401);
    expect((await alice('GET', '/version')).status).toBe(200);
  });

  it("gives an experiment's creator MANAGE, and others the default permission", async () => {
    const { json } = await alice('POST', 'experiments/create', { name: 'alice-exp' });
    const id = json.experiment_id;
    expect((await admin('GET', 'experiments/permissions/get', { experiment_id: id, username: 'alice' })).json).toEqual({
      experiment_permission: { experiment_id: id, user_id: expect.any(Number), permission: 'MANAGE' },
    });
    expect((await alice('POST', 'experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v' })).status).toBe(200);
    expect((await bob('GET', 'experiments/get', { experiment_id: id })).status).toBe(200); // default READ
    expect((await bob('POST', 'experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v' })).status).toBe(403);
    // alice manages it, so she may grant bob EDIT
    expect((await alice('POST', 'experiments/permissions/create', { experiment_id: id, username: 'bob', permission: 'EDIT' })).status).toBe(200);
    expect((await bob('POST', 'runs/create', { experiment_id: id })).status).toBe(200);
    expect((await bob('POST', 'experiments/permissions/update', { experiment_id: id, username: 'bob', permission: 'MANAGE' })).status).toBe(405);
    expect((await bob('PATCH', 'experiments/permissions/update', { experiment_id: id, username: 'bob', permission: 'MANAGE' })).status).toBe(403);
  });

  it('filters experiment and model searches to what the user may read, refilling the page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await admin('POST', 'experiments/create', { name: `hidden-or-not-${i}` })).json.experiment_id);
    // bob may not read the even ones
    for (const [i, id] of ids.entries()) if (i % 2 === 0) await admin('POST', 'experiments/permissions/create', { experiment_id: id, username: 'bob', permission: 'NO_PERMISSIONS' });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await bob('POST', 'experiments/search', { filter: "name LIKE 'hidden-or-not-%'", max_results: 2, page_token: token });
      expect(r.status).toBe(200);
      const page = r.json.experiments ?? [];
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page.map((e: any) => e.experiment_id));
      token = r.json.next_page_token;
      if (token) expect(page).toHaveLength(2);
    } while (token);
    expect(seen.sort()).toEqual(ids.filter((_, i) => i % 2 === 1).sort());
    const all = await admin('POST', 'experiments/search', { filter: "name LIKE 'hidden-or-not-%'", max_results: 100 });
    expect(all.json.experiments, JSON.stringify(all.json)).toHaveLength(6);

    await admin('POST', 'registered-models/create', { name: 'secret-model' });
    await admin('POST', 'registered-models/create', { name: 'open-model' });
    await admin('POST', 'registered-models/permissions/create', { name: 'secret-model', username: 'bob', permission: 'NO_PERMISSIONS' });
    const models = (await bob('GET', 'registered-models/search', {})).json.registered_models.map((m: any) => m.name);
    expect(models).toContain('open-model');
    expect(models).not.toContain('secret-model');
    expect((await bob('GET', 'registered-models/get', { name: 'secret-model' })).status).toBe(403);
  });

  it("drops a deleted model's permissions, so a new model of that name starts clean", async () => {
    await alice('POST', 'registered-models/create', { name: 'reused' });
    await admin('POST', 'registered-models/permissions/create', { name: 'reused', username: 'bob', permission: 'NO_PERMISSIONS' });
    expect((await alice('DELETE', 'registered-models/delete', { name: 'reused' })).status).toBe(200);
    expect((await admin('GET', 'registered-models/permissions/get', { name: 'reused', username: 'bob' })).status).toBe(404);
    expect((await bob('POST', 'registered-models/create', { name: 'reused' })).status).toBe(200);
    expect((await admin('GET', 'registered-models/permissions/get', { name: 'reused', username: 'bob' })).json.registered_model_permission.permission).toBe('MANAGE');
  });

  it("answers the auth endpoints with MLflow's shapes and errors", async () => {
    const u = await admin('POST', 'users/create', { username: 'carol', password: 'c-pw' });
    expect(u.json).toEqual({ user: { id: expect.any(Number), username: 'carol', is_admin: false, experiment_permissions: [], registered_model_permissions: [] } });
    expect(JSON.stringify(u.json)).not.toContain('c-pw');
    expect(await admin('POST', 'users/create', { username: 'carol', password: 'x' })).toMatchObject({
      status: 400,
      json: { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'User (username=carol) already exists.' },
    });
    expect(await admin('POST', 'users/create', { username: '', password: 'x' })).toMatchObject({ status: 400, json: { message: 'Username cannot be empty.' } });
    expect(await admin('POST', 'users/create', { username: 'dave' })).toMatchObject({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE', message: "Missing value for required parameter 'password'. See the API docs for more information about request parameters." },
    });
    expect(await admin('GET', 'users/get', { username: 'nobody' })).toMatchObject({
      status: 404,
      json: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'User with username=nobody not found' },
    });
    expect(await admin('POST', 'experiments/permissions/create', { experiment_id: '0', username: 'carol', permission: 'WRITE' })).toMatchObject({
      status: 400,
      json: { error_code: 'INVALID_PARAMETER_VALUE', message: "Invalid permission 'WRITE'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')" },
    });
    expect(await admin('GET', 'experiments/permissions/get', { experiment_id: '0', username: 'carol' })).toMatchObject({
      status: 404,
      json: { message: 'Experiment permission with experiment_id=0 and username=carol not found' },
    });
    // a user reads and changes only their own account
    const carol = srv.as({ username: 'carol', password: 'c-pw' });
    expect((await carol('GET', 'users/get', { username: 'carol' })).status).toBe(200);
    expect((await carol('GET', 'users/get', { username: 'alice' })).status).toBe(403);
    expect((await carol('PATCH', 'users/update-password', { username: 'alice', password: 'x' })).status).toBe(403);
    expect((await carol('PATCH', 'users/update-password', { username: 'carol', password: 'c-pw-2' })).status).toBe(200);
    expect((await carol('GET', 'users/get', { username: 'carol' })).status).toBe(401);
    const carol2 = srv.as({ username: 'carol', password: 'c-pw-2' });
    expect((await carol2('PATCH', 'users/update-admin', { username: 'carol', is_admin: true })).status).toBe(403);
    expect((await admin('PATCH', 'users/update-admin', { username: 'carol', is_admin: true })).status).toBe(200);
    expect((await carol2('GET', 'users/get', { username: 'alice' })).status).toBe(200);
    expect((await admin('DELETE', 'users/delete', { username: 'carol' })).status).toBe(200);
    expect((await carol2('GET', 'experiments/search')).status).toBe(401);
  });

  it('checks proxied artifacts against the experiment in their path', async () => {
    const id = (await alice('POST', 'experiments/create', { name: 'art-exp' })).json.experiment_id;
    await alice('POST', 'experiments/permissions/create', { experiment_id: id, username: 'bob', permission: 'NO_PERMISSIONS' });
    const put = (c: Caller) => c('PUT', `/api/2.0/mlflow-artifacts/artifacts/${id}/run/artifacts/a.txt`, undefined, { 'Content-Type': 'text/plain' });
    expect((await put(alice)).status).toBe(200);
    expect((await put(bob)).status).toBe(403);
    expect((await bob('GET', `/api/2.0/mlflow-artifacts/artifacts/${id}/run/artifacts/a.txt`)).status).toBe(403);
    expect((await alice('GET', `/api/2.0/mlflow-artifacts/artifacts/${id}/run/artifacts/a.txt`)).status).toBe(200);
    expect((await bob('DELETE', `/api/2.0/mlflow-artifacts/artifacts/${id}/run/artifacts/a.txt`)).status).toBe(403);
  });
});

describe('basic-auth: a served route without a rule', () => {
  it('is refused to non-admins (fail closed) and logged, while unknown paths stay 404', async () => {
    const srv = await makeAuthServer({ extraRoutes: (t) => t.set('/unruled/thing', { GET: async () => ({ ok: true }) }) });
    try {
      expect((await srv.as(ADMIN)('POST', 'users/create', ALICE)).status).toBe(200);
      const alice = srv.as(ALICE);
      expect(await alice('GET', 'unruled/thing')).toMatchObject({ status: 403, json: { error_code: 'PERMISSION_DENIED' } });
      expect(srv.logLines.join('\n')).toContain('No auth rule for GET /unruled/thing');
      expect(await srv.as(ADMIN)('GET', 'unruled/thing')).toMatchObject({ status: 200, json: { ok: true } });
      expect((await alice('GET', 'no/such/endpoint')).status).toBe(404);
    } finally {
      await srv.close();
    }
  });
});

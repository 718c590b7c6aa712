/**
 * Basic auth on what the `/api/2.0` matrix does not reach: `/api/3.0`'s StartTraceV3 (its experiment
 * is inside the body), the 3.0 spellings of the trace rpcs, and OTLP ingestion on `/v1/traces`
 * (the experiment is a header). MLflow's rules: starting or ingesting needs EDIT on the experiment,
 * reading a trace needs READ on its experiment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, basic, makeAuthServer, type AuthTestServer, type Caller } from './helpers.js';
import { buildOtlpTrace, traceInfoBody } from '../../support/otlp.js';

const BOB = { username: 'bob', password: 'bob-pw-1' };
const V3 = '/api/3.0/mlflow';

describe('basic-auth on MLflow 3 traces', () => {
  let srv: AuthTestServer;
  let admin: Caller;
  let bob: Caller;
  let readable: string;
  let editable: string;
  beforeAll(async () => {
    srv = await makeAuthServer({ defaultPermission: 'NO_PERMISSIONS' });
    admin = srv.as(ADMIN);
    bob = srv.as(BOB);
    expect((await admin('POST', 'users/create', BOB)).status).toBe(200);
    readable = (await admin('POST', 'experiments/create', { name: 'readable' })).json.experiment_id;
    editable = (await admin('POST', 'experiments/create', { name: 'editable' })).json.experiment_id;
    await admin('POST', 'experiments/permissions/create', { experiment_id: readable, username: BOB.username, permission: 'READ' });
    await admin('POST', 'experiments/permissions/create', { experiment_id: editable, username: BOB.username, permission: 'EDIT' });
  });
  afterAll(() => srv?.close());

  const otlp = (exp: string, user?: typeof BOB) => {
    const t = buildOtlpTrace([{ name: 'root', startMs: 1000, endMs: 2000 }]);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-protobuf', 'X-MLflow-Experiment-Id': exp };
    if (user) headers.Authorization = basic(user.username, user.password);
    return srv.app.request('/v1/traces', { method: 'POST', body: t.body as BodyInit, headers });
  };

  it('lets StartTraceV3 through with EDIT on the experiment in the body, not with READ', async () => {
    expect((await bob('POST', `${V3}/traces`, traceInfoBody(readable, 'tr-aaaa'))).status).toBe(403);
    expect((await bob('POST', `${V3}/traces`, traceInfoBody(editable, 'tr-bbbb'))).status).toBe(200);
    const noExp = await bob('POST', `${V3}/traces`, { trace: { trace_info: { trace_id: 'tr-cccc' } } });
    expect([noExp.status, noExp.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('checks OTLP ingestion against the experiment header', async () => {
    expect((await otlp(editable)).status).toBe(401);
    expect((await otlp(readable, BOB)).status).toBe(403);
    expect((await otlp(editable, BOB)).status).toBe(200);
    expect((await otlp(readable, ADMIN)).status).toBe(200);
  });

  it('reads V3 traces under /api/3.0 with READ on their experiment only', async () => {
    await admin('POST', `${V3}/traces`, traceInfoBody(readable, 'tr-r1'));
    const other = (await admin('POST', 'experiments/create', { name: 'hidden' })).json.experiment_id;
    await admin('POST', `${V3}/traces`, traceInfoBody(other, 'tr-h1'));
    expect((await bob('GET', `${V3}/traces/tr-r1`)).status).toBe(200);
    expect((await bob('GET', `${V3}/traces/tr-h1`)).status).toBe(403);
    expect((await bob('PATCH', `${V3}/traces/tr-r1/tags`, { key: 'k', value: 'v' })).status).toBe(200);
    const loc = (id: string) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } });
    expect((await bob('POST', `${V3}/traces/search`, { locations: [loc(readable)] })).status).toBe(200);
    expect((await bob('POST', `${V3}/traces/search`, { locations: [loc(readable), loc(other)] })).status).toBe(403);
    expect((await bob('POST', `${V3}/traces/tr-r1/assessments`, { assessment: { assessment_name: 'x', feedback: { value: 1 } } })).status).toBe(403);
  });
});

/**
 * The `traces.json` fallback: the client uploads the spans through the artifact proxy to the trace's
 * `mlflow.artifactLocation`, and the UI reads them back with `get-trace-artifact`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServer, type TestServer } from '../server/helpers.js';

for (const kind of ['sqlite', 'file'] as const) describe(`traces.json through the artifact proxy (${kind} store)`, () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await makeServer(kind);
  });
  afterAll(() => srv?.close());

  it('uploads traces.json and serves it back by request id', async () => {
    const exp = (await srv.call('POST', 'experiments/create', { name: 'trace artifacts' })).json.experiment_id;
    const info = (await srv.call('POST', 'traces', { experiment_id: exp, timestamp_ms: 1 })).json.trace_info;
    const location: string = info.tags.find((t: any) => t.key === 'mlflow.artifactLocation').value;
    expect(location).toBe(`mlflow-artifacts:/${exp}/traces/${info.request_id}/artifacts`);

    const missing = await srv.call('GET', `/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${info.request_id}`);
    expect([missing.status, missing.json.error_code]).toEqual([404, 'NOT_FOUND']);

    const data = JSON.stringify({ spans: [{ name: 'root', context: { span_id: '0x1', trace_id: '0x2' } }], request: '{}', response: '{}' });
    const put = await srv.app.request(`/api/2.0/mlflow-artifacts/artifacts/${location.slice('mlflow-artifacts:/'.length)}/traces.json`, { method: 'PUT', body: data });
    expect(put.status).toBe(200);
    const got = await srv.app.request(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${info.request_id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toBe('attachment; filename=traces.json');
    expect(JSON.parse(await got.text())).toEqual(JSON.parse(data));

    const noId = await srv.call('GET', '/ajax-api/2.0/mlflow/get-trace-artifact');
    expect([noId.status, noId.json.error_code]).toEqual([400, 'BAD_REQUEST']);
    const unknown = await srv.call('GET', '/ajax-api/2.0/mlflow/get-trace-artifact?request_id=nope');
    expect([unknown.status, unknown.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  });
});

/**
 * MLflow 3's traces on disk in a file store, as MLflow 3's FileStore lays them out: the 3.x
 * `trace_info.yaml`, `request_metadata/` and `tags/` files, and `assessments/<id>.yaml`; a folder
 * written in that form by MLflow reads back through the v3 and v2 APIs, and a 2.17 folder through
 * the v3 API.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/stores/file/meta-yaml.js';
import { makeServer, type TestServer } from '../server/helpers.js';
import { traceInfoBody } from '../support/otlp.js';

const V3 = '/api/3.0/mlflow';
const TRACE = 'tr-0123456789abcdef0123456789abcdef';

describe('MLflow 3 traces in the file store', () => {
  let srv: TestServer;
  let exp: string;
  let expDir: string;
  beforeAll(async () => {
    srv = await makeServer('file');
    exp = (await srv.call('POST', 'experiments/create', { name: 'layout' })).json.experiment_id;
    expDir = path.join(srv.dir, 'mlruns', exp);
  });
  afterAll(async () => srv?.close());

  it('writes trace_info.yaml in 3.x form, metadata and tags as files, and each assessment as a YAML file', async () => {
    expect((await srv.call('POST', `${V3}/traces`, traceInfoBody(exp, TRACE, { client_request_id: 'req-7' }))).status).toBe(200);
    const dir = path.join(expDir, 'traces', TRACE);
    const info = parseYaml(fs.readFileSync(path.join(dir, 'trace_info.yaml'), 'utf8'));
    expect(info).toEqual({
      trace_id: TRACE,
      client_request_id: 'req-7',
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } },
      request_time: '2026-01-02T03:04:05.678Z',
      execution_duration: '0.900s',
      state: 'OK',
      request_preview: '{"question": "why?"}',
      response_preview: '"because"',
    });
    expect(fs.readFileSync(path.join(dir, 'request_metadata', 'mlflow.user'), 'utf8')).toBe('ada');
    expect(fs.readFileSync(path.join(dir, 'tags', 'mlflow.artifactLocation'), 'utf8')).toBe(`mlflow-artifacts:/${exp}/traces/${TRACE}/artifacts`);
    // No spans-location tag: the client uploads traces.json, as it does to MLflow's FileStore.
    expect(fs.existsSync(path.join(dir, 'tags', 'mlflow.trace.spansLocation'))).toBe(false);

    const a = (await srv.call('POST', `${V3}/traces/${TRACE}/assessments`, { assessment: { assessment_name: 'facts', source: { source_type: 'HUMAN', source_id: 'ada' }, expectation: { value: { facts: ['a', 'b'] } }, metadata: { k: 'v' } } })).json.assessment;
    const file = path.join(dir, 'assessments', `${a.assessment_id}.yaml`);
    const stored = parseYaml(fs.readFileSync(file, 'utf8'))!;
    expect(stored).toMatchObject({
      assessment_id: a.assessment_id,
      assessment_name: 'facts',
      trace_id: TRACE,
      source: { source_type: 'HUMAN', source_id: 'ada' },
      expectation: { value: { facts: ['a', 'b'] } },
      metadata: { k: 'v' },
      valid: true,
    });
    expect(typeof stored.create_time_ms).toBe('number');
    // Deleting the trace removes its folder with the assessments.
    expect((await srv.call('POST', 'traces/delete-traces', { experiment_id: exp, request_ids: [TRACE] })).json).toEqual({ traces_deleted: 1 });
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('reads a folder MLflow 3 wrote through the v3 and v2 APIs', async () => {
    const id = 'tr-fedcba9876543210fedcba9876543210';
    const dir = path.join(expDir, 'traces', id);
    fs.mkdirSync(path.join(dir, 'tags'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'request_metadata'));
    fs.mkdirSync(path.join(dir, 'assessments'));
    fs.writeFileSync(
      path.join(dir, 'trace_info.yaml'),
      `client_request_id: null\nexecution_duration: 1.500s\nrequest_preview: '{"q": 1}'\nrequest_time: '2025-06-01T10:00:00.250Z'\nresponse_preview: '"ok"'\nstate: ERROR\ntrace_id: ${id}\ntrace_location:\n  mlflow_experiment:\n    experiment_id: '${exp}'\n  type: MLFLOW_EXPERIMENT\n`,
    );
    fs.writeFileSync(path.join(dir, 'tags', 'mlflow.traceName'), 'predict');
    fs.writeFileSync(path.join(dir, 'request_metadata', 'mlflow.sourceRun'), 'r1');
    fs.writeFileSync(
      path.join(dir, 'assessments', 'a-1.yaml'),
      `assessment_id: a-1\nassessment_name: correct\ncreate_time_ms: 1748772000000\nfeedback:\n  value: true\nlast_update_time_ms: 1748772000500\nsource:\n  source_id: judge\n  source_type: LLM_JUDGE\ntrace_id: ${id}\nvalid: true\n`,
    );
    const v3 = (await srv.call('GET', `${V3}/traces/${id}`)).json.trace.trace_info;
    expect(v3).toMatchObject({
      trace_id: id,
      request_time: '2025-06-01T10:00:00.250Z',
      execution_duration: '1.500s',
      state: 'ERROR',
      request_preview: '{"q": 1}',
      trace_metadata: { 'mlflow.sourceRun': 'r1' },
      tags: { 'mlflow.traceName': 'predict' },
    });
    expect(v3.assessments).toEqual([
      expect.objectContaining({ assessment_id: 'a-1', assessment_name: 'correct', feedback: { value: true }, source: { source_type: 'LLM_JUDGE', source_id: 'judge' }, create_time: '2025-06-01T10:00:00Z', last_update_time: '2025-06-01T10:00:00.500Z' }),
    ]);
    const v2 = (await srv.call('GET', `traces/${id}/info`)).json.trace_info;
    expect(v2).toMatchObject({ request_id: id, experiment_id: exp, timestamp_ms: Date.UTC(2025, 5, 1, 10, 0, 0, 250), execution_time_ms: 1500, status: 'ERROR' });
    const byRun = await srv.call('POST', `${V3}/traces/search`, { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }], filter: "run_id = 'r1'" });
    expect(byRun.json.traces.map((t: any) => t.trace_id)).toEqual([id]);
  });

  it('ends a 3.x trace through the v2 API in its own form', async () => {
    const id = 'tr-00000000000000000000000000000abc';
    await srv.call('POST', `${V3}/traces`, traceInfoBody(exp, id, { state: 'IN_PROGRESS', execution_duration: undefined }));
    const ended = (await srv.call('PATCH', `traces/${id}`, { request_id: id, timestamp_ms: Date.UTC(2026, 0, 2, 3, 4, 6, 678), status: 'OK' })).json.trace_info;
    expect(ended).toMatchObject({ request_id: id, execution_time_ms: 1000, status: 'OK' });
    const info = parseYaml(fs.readFileSync(path.join(expDir, 'traces', id, 'trace_info.yaml'), 'utf8'));
    expect(info).toMatchObject({ trace_id: id, execution_duration: '1s', state: 'OK', request_preview: '{"question": "why?"}' });
  });

  it('reads a 2.17 trace through the v3 API', async () => {
    const started = (await srv.call('POST', 'traces', { experiment_id: exp, timestamp_ms: 1700000000000, tags: [{ key: 'mlflow.traceName', value: 'old' }] })).json.trace_info;
    const v3 = (await srv.call('GET', `${V3}/traces/${started.request_id}`)).json.trace.trace_info;
    expect(v3).toMatchObject({ trace_id: started.request_id, request_time: '2023-11-14T22:13:20Z', state: 'IN_PROGRESS', tags: { 'mlflow.traceName': 'old' } });
    expect(v3.execution_duration).toBeUndefined();
  });
});

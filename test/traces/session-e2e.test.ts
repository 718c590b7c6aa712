/**
 * End to end (issue 11, point 6): a user's MLflow 3 session against a spawned `mlf server` (the built
 * CLI, `npm run build` first) over real HTTP, on every SQL dialect reachable here: a run with params
 * and metrics, a logged model created, uploaded, finalized, logged as the run's output and registered,
 * a trace of three spans sent over OTLP the way MLflow's client sends it, two assessments, a trace
 * search, then the experiment deleted and `mlf gc` purging it, spans and assessments included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_ROOT, runCli } from '../cli/run-cli.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';
import { buildOtlpTrace, traceInfoBody } from '../support/otlp.js';

async function startServer(uri: string, dir: string): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(MLFLOW_|MLF_(?!TEST)|NODE_OPTIONS|VITEST)/.test(k)) env[k] = v;
  const child = spawn(process.execPath, [BIN, 'server', '--backend-store-uri', uri, '--port', '0', '--artifacts-destination', path.join(dir, 'art')], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const t0 = Date.now();
  for (;;) {
    const m = /Listening at: (\S+)/.exec(out);
    if (m) return { child, url: m[1]! };
    if (child.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const dialect of testDialects()) {
  describe(`an MLflow 3 session through mlf server on ${dialect}`, async () => {
    const skip = await skipUnlessAvailable(dialect);
    const dir = tempDir('mlf-session-');
    let db: TestDatabase;
    let child: ChildProcess;
    let url: string;
    beforeAll(async () => {
      if (skip) return;
      if (!fs.existsSync(path.join(CLI_ROOT, 'dist'))) throw new Error(`no build at ${CLI_ROOT}/dist: run npm run build`);
      db = await createTestDatabase(dialect);
      ({ child, url } = await startServer(db.uri, dir));
    }, 120_000);
    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.on('close', r));
        child.kill('SIGTERM');
        await exited;
      }
      await db?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const api = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${url}${route.startsWith('/') ? route : `/api/2.0/mlflow/${route}`}`, {
        method,
        headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const json = text ? JSON.parse(text) : {};
      if (res.status !== 200) throw new Error(`${method} ${route}: ${res.status} ${text}`);
      return json;
    };

    it.skipIf(skip)('records a run, a logged model, a traced call with assessments, and purges it all', async () => {
      const { experiment_id: exp } = await api('POST', 'experiments/create', { name: 'genai-session' });
      const { run } = await api('POST', 'runs/create', { experiment_id: exp, run_name: 'session' });
      const runId = run.info.run_id as string;
      await api('POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'temperature', value: '0.2' }], metrics: [{ key: 'accuracy', value: 0.91, timestamp: 1, step: 0 }] });

      // log_model: create the logged model, upload its files through the artifact proxy, finalize, link to the run.
      const { model } = await api('POST', 'logged-models', { experiment_id: exp, name: 'agent', source_run_id: runId });
      const modelId = model.info.model_id as string;
      expect(model.info.artifact_uri).toBe(`mlflow-artifacts:/${exp}/models/${modelId}/artifacts`);
      const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${exp}/models/${modelId}/artifacts/MLmodel`, { method: 'PUT', body: 'flavors: {}\n' });
      expect(put.status).toBe(200);
      const ready = await api('PATCH', `logged-models/${modelId}`, { model_id: modelId, status: 'LOGGED_MODEL_READY' });
      expect(ready.model.info.status).toBe('LOGGED_MODEL_READY');
      await api('POST', 'runs/outputs', { run_id: runId, models: [{ model_id: modelId, step: 0 }] });
      await api('POST', 'registered-models/create', { name: 'agent-model' });
      const { model_version: mv } = await api('POST', 'model-versions/create', { name: 'agent-model', source: model.info.artifact_uri, run_id: runId });
      expect(mv.version).toBe('1');
      const got = await api('GET', `runs/get?run_id=${runId}`);
      expect(got.run.outputs.model_outputs).toEqual([{ model_id: modelId, step: 0 }]);

      // @mlflow.trace: spans over OTLP (the client first asks /version), then the trace record.
      expect(await (await fetch(`${url}/version`)).text()).toBe('3.4.0');
      const t0 = Date.now();
      const t = buildOtlpTrace([
        { name: 'agent', type: 'AGENT', startMs: t0, endMs: t0 + 300, inputs: { question: 'hi' }, outputs: 'hello' },
        { name: 'retrieve', type: 'RETRIEVER', parent: 0, startMs: t0 + 10, endMs: t0 + 100 },
        { name: 'generate', type: 'LLM', parent: 0, startMs: t0 + 110, endMs: t0 + 290 },
      ]);
      const otlp = await fetch(`${url}/v1/traces`, { method: 'POST', body: t.body as BodyInit, headers: { 'Content-Type': 'application/x-protobuf', 'x-mlflow-experiment-id': exp } });
      expect(otlp.status).toBe(200);
      const started = await api('POST', '/api/3.0/mlflow/traces', traceInfoBody(exp, t.traceId, { trace_metadata: { 'mlflow.sourceRun': runId, 'mlflow.modelId': modelId } }));
      // The client skips the traces.json upload when the spans are in the tracking store.
      expect(started.trace.trace_info.tags['mlflow.trace.spansLocation']).toBe('TRACKING_STORE');
      for (const a of [
        { assessment_name: 'helpful', source: { source_type: 'HUMAN', source_id: 'ada' }, feedback: { value: true }, rationale: 'answered' },
        { assessment_name: 'expected_answer', source: { source_type: 'HUMAN', source_id: 'ada' }, expectation: { value: 'hello' } },
      ]) {
        await api('POST', `/api/3.0/mlflow/traces/${t.traceId}/assessments`, { assessment: a });
      }

      const found = await api('POST', '/api/3.0/mlflow/traces/search', {
        locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }],
        filter: `run_id = '${runId}' AND span.type = 'LLM'`,
      });
      expect(found.traces.map((x: any) => x.trace_id)).toEqual([t.traceId]);
      expect(found.traces[0].assessments.map((a: any) => a.assessment_name).sort()).toEqual(['expected_answer', 'helpful']);
      const full = await api('GET', `/api/3.0/mlflow/traces/get?trace_id=${t.traceId}`);
      expect(full.trace.spans.map((s: any) => s.name)).toEqual(['agent', 'retrieve', 'generate']);

      // Delete the experiment and purge it.
      expect(fs.existsSync(path.join(dir, 'art', exp, 'models', modelId, 'artifacts', 'MLmodel'))).toBe(true);
      await api('POST', 'experiments/delete', { experiment_id: exp });
      const gc = await runCli(['gc', '--backend-store-uri', db.uri, '--artifacts-destination', path.join(dir, 'art')], { cwd: dir });
      expect(gc.code, gc.stderr).toBe(0);
      const store = await openTrackingStore(db.uri);
      try {
        const conn = (store as unknown as { conn: { db: import('kysely').Kysely<any> } }).conn.db;
        for (const table of ['trace_info', 'spans', 'assessments', 'trace_tags', 'trace_request_metadata', 'logged_models']) {
          const rows = await conn.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
          expect(Number(rows.n), table).toBe(0);
        }
      } finally {
        await store.close();
      }
      // The logged model's files went with it (the experiment folder of a proxied root stays, as in MLflow).
      expect(fs.existsSync(path.join(dir, 'art', exp, 'models', modelId))).toBe(false);
      const gone = await fetch(`${url}/api/3.0/mlflow/traces/${t.traceId}`);
      expect(gone.status).toBe(404);
    }, 120_000);
  });
}

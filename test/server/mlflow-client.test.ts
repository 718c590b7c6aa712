/**
 * End to end with a real MLflow client (the npm `mlflow` package) against `mlf server` on a socket,
 * plus the process behaviour: SIGTERM finishes requests in flight and exits 0, an out-of-date
 * database stops the server with MLflow's message.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveSettings, startServer, type RunningServer } from '../../src/server/serve.js';
import { runServerProcesses } from '../../src/server/processes.js';
import { createLogger } from '../../src/server/logger.js';
import { copyFixture, tempDir } from '../support/databases.js';

const require = createRequire(import.meta.url);
// The client logs every POST body with console.log; keep the test output readable.
const MLflow = require('mlflow') as new (o: { endpoint: string }) => any;

for (const kind of ['file', 'sqlite'] as const) {
  describe(`npm mlflow client against mlf server (${kind} store)`, () => {
    let dir: string;
    let srv: RunningServer;
    let client: any;

    beforeAll(async () => {
      dir = tempDir('mlf-client-');
      const uri = kind === 'file' ? path.join(dir, 'mlruns') : `sqlite:///${path.join(dir, 'mlflow.db')}`;
      srv = await startServer(
        resolveSettings({ backendStoreUri: uri, port: 0, artifactsDestination: path.join(dir, 'mlartifacts') }),
        createLogger('none'),
      );
      client = new MLflow({ endpoint: srv.url });
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      await srv?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('creates, lists, renames, deletes and restores experiments', async () => {
      const { experiment_id } = await client.Experiments.create({ name: 'client-exp' });
      const { experiments } = await client.Experiments.list({ view_type: 'ALL' });
      expect(experiments.map((e: any) => e.name)).toContain('client-exp');
      await client.Experiments.update({ experiment_id, new_name: 'client-exp2' });
      expect((await client.Experiments.get({ experiment_id })).experiment.name).toBe('client-exp2');
      await client.Experiments.delete({ experiment_id });
      expect((await client.Experiments.get({ experiment_id })).experiment.lifecycle_stage).toBe('deleted');
      await client.Experiments.restore({ experiment_id });
      expect((await client.Experiments.get({ experiment_id })).experiment.lifecycle_stage).toBe('active');
    });

    it('runs a training loop: create run, log, search, history, update, artifacts list', async () => {
      const { experiment_id } = await client.Experiments.create({ name: 'loop' });
      const { run } = await client.Runs.create({ experiment_id, user_id: 'bob', start_time: Date.now(), tags: [{ key: 'k', value: 'v' }] });
      const run_id = run.info.run_id;
      await client.Runs.logParameter({ run_id, key: 'lr', value: '0.1' });
      for (let step = 0; step < 5; step++) await client.Runs.logMetric({ run_id, key: 'loss', value: 1 / (step + 1), timestamp: 1000 + step, step });
      await client.Runs.logBatch({
        run_id,
        metrics: [{ key: 'acc', value: 0.9, timestamp: 2000, step: 5 }],
        params: [{ key: 'bs', value: '32' }],
        tags: [{ key: 'phase', value: 'train' }],
      });
      await client.Runs.setTag({ run_id, key: 'tmp', value: '1' });
      await client.Runs.deleteTag({ run_id, key: 'tmp' });
      const got = (await client.Runs.get({ run_id })).run;
      expect(got.data.params).toEqual([
        { key: 'bs', value: '32' },
        { key: 'lr', value: '0.1' },
      ]);
      expect(got.data.metrics).toContainEqual({ key: 'loss', value: 0.2, timestamp: 1004, step: 4 });
      expect(got.data.tags.map((t: any) => t.key)).not.toContain('tmp');
      const hist = await client.Metrics.getHistory({ run_id, metric_key: 'loss' });
      expect(hist.metrics.map((m: any) => m.step)).toEqual([0, 1, 2, 3, 4]);
      const { runs } = await client.Runs.search({ experiment_ids: [experiment_id], filter: 'metrics.acc > 0.5', run_view_type: 'ACTIVE_ONLY' });
      expect(runs.map((r: any) => r.info.run_id)).toEqual([run_id]);
      const upd = await client.Runs.update({ run_id, status: 'FINISHED', end_time: Date.now() });
      expect(upd.run_info.status).toBe('FINISHED');
      await fetch(`${srv.url}/api/2.0/mlflow-artifacts/artifacts/${experiment_id}/${run_id}/artifacts/notes.txt`, { method: 'PUT', body: 'hi' });
      const arts = await client.Artifacts.list({ run_id });
      expect(arts.files).toEqual([{ path: 'notes.txt', is_dir: false, file_size: 2 }]);
      await client.Runs.delete({ run_id });
      expect((await client.Runs.get({ run_id })).run.info.lifecycle_stage).toBe('deleted');
      await client.Runs.restore({ run_id });
    });

    it('surfaces MLflow error bodies to the client', async () => {
      await expect(client.Runs.get({ run_id: 'a'.repeat(32) })).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST/);
      // The client's setExperimentTag builds a path without a slash: the server answers ENDPOINT_NOT_FOUND.
      await expect(client.Experiments.setExperimentTag({ experiment_id: '0', key: 'a', value: 'b' })).rejects.toThrow(/ENDPOINT_NOT_FOUND/);
    });
  });
}

describe('server process', () => {
  it('finishes a request in flight on SIGTERM, then resolves with exit code 0', async () => {
    const dir = tempDir('mlf-sigterm-');
    const signals = new EventEmitter();
    const lines: string[] = [];
    const settings = resolveSettings({ backendStoreUri: path.join(dir, 'mlruns'), port: 0, logLevel: 'none', artifactsDestination: path.join(dir, 'a') });
    const done = runServerProcesses(settings, { print: (l) => lines.push(l), signals });
    await vi.waitFor(() => expect(lines.join('\n')).toMatch(/Listening at: http:\/\/127\.0\.0\.1:\d+/));
    const url = /Listening at: (\S+)/.exec(lines[0]!)![1]!;
    // A slow upload: the body arrives after the signal, and must still be stored.
    let push!: (s: string | null) => void;
    const body = new ReadableStream<Uint8Array>({
      start(ctrl) {
        push = (s) => (s === null ? ctrl.close() : ctrl.enqueue(new TextEncoder().encode(s)));
      },
    });
    const inflight = fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/slow.txt`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    push('first ');
    await new Promise((r) => setTimeout(r, 100));
    signals.emit('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    push('second');
    push(null);
    expect((await inflight).status).toBe(200);
    expect(await done).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a', 'slow.txt'), 'utf8')).toBe('first second');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an out-of-date database with MLflow message naming mlf db upgrade, exit code 1', async () => {
    const db = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const settings = resolveSettings({ backendStoreUri: `sqlite:///${db}`, port: 0, logLevel: 'none' });
    const err = await runServerProcesses(settings, { print: () => undefined, signals: new EventEmitter() }).catch((e) => e);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/^Detected out-of-date database schema \(found version 7f2a7d5fae7d, but expected [0-9a-f]+\)/);
    expect(err.message).toContain(`mlf db upgrade`);
    expect(err.message).not.toContain('\n');
  });

  it('masks the password of a database URI in the start-up error', async () => {
    const settings = resolveSettings({ backendStoreUri: 'postgresql://u:hunter2@127.0.0.1:1/x', port: 0, logLevel: 'none' });
    const err = await runServerProcesses(settings, { print: () => undefined, signals: new EventEmitter() }).catch((e) => e);
    expect(err.exitCode).toBe(1);
    expect(err.message).not.toContain('hunter2');
  });

  it('resolves settings as mlflow server does', () => {
    expect(resolveSettings({})).toMatchObject({ backendStoreUri: './mlruns', defaultArtifactRoot: 'mlflow-artifacts:/', host: '127.0.0.1', port: 5000, workers: 1 });
    expect(resolveSettings({ serveArtifacts: false }).defaultArtifactRoot).toBeUndefined();
    expect(() => resolveSettings({ backendStoreUri: 'sqlite:///x.db', serveArtifacts: false })).toThrow(
      "Option 'default-artifact-root' is required when backend store is not local file based and artifact serving is disabled.",
    );
  });
});

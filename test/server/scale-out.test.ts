/**
 * Scale-out: two `mlf server` instances (as on two machines behind a load balancer) on one
 * PostgreSQL or MariaDB database, clients writing through both; every write is readable through
 * either. Also: on a database store the Model Registry answers, through either server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings, startServer, type RunningServer } from '../../src/server/serve.js';
import { createLogger } from '../../src/server/logger.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase } from '../support/databases.js';

async function post(base: string, route: string, body: unknown): Promise<any> {
  const r = await fetch(`${base}/api/2.0/mlflow/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const j = await r.json();
  if (r.status !== 200) throw new Error(`${route}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}
async function get(base: string, route: string, q: Record<string, string>): Promise<any> {
  const r = await fetch(`${base}/api/2.0/mlflow/${route}?${new URLSearchParams(q)}`);
  return { status: r.status, json: await r.json() };
}

for (const dialect of ['postgresql', 'mysql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`two servers on one ${dialect} database`, () => {
    let db: TestDatabase;
    let dir: string;
    let a: RunningServer;
    let b: RunningServer;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      dir = tempDir('mlf-scale-');
      const settings = resolveSettings({ backendStoreUri: db.uri, port: 0, artifactsDestination: path.join(dir, 'mlartifacts') });
      // Both start on the empty database at once: exactly one initialises it, neither fails.
      [a, b] = await Promise.all([startServer(settings, createLogger('none')), startServer(settings, createLogger('none'))]);
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await db?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('makes every write through one server readable through the other', async () => {
      const { experiment_id } = await post(a.url, 'experiments/create', { name: 'shared' });
      expect((await get(b.url, 'experiments/get', { experiment_id })).json.experiment.name).toBe('shared');

      // Clients write concurrently through both servers into the same experiment.
      const servers = [a, b];
      const runIds = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const via = servers[i % 2]!.url;
          const { run } = await post(via, 'runs/create', { experiment_id, start_time: 1000 + i, run_name: `r${i}` });
          await post(servers[(i + 1) % 2]!.url, 'runs/log-batch', {
            run_id: run.info.run_id,
            metrics: Array.from({ length: 20 }, (_, s) => ({ key: 'loss', value: s / 10, timestamp: 5000 + s, step: s })),
            params: [{ key: 'i', value: String(i) }],
            tags: [{ key: 'via', value: String(i % 2) }],
          });
          await post(via, 'runs/log-metric', { run_id: run.info.run_id, key: 'acc', value: i, timestamp: 9000 });
          return run.info.run_id as string;
        }),
      );

      for (const srv of servers) {
        const search = await post(srv.url, 'runs/search', { experiment_ids: [experiment_id], max_results: 100 });
        expect(search.runs.map((r: any) => r.info.run_id).sort()).toEqual([...runIds].sort());
        for (const [i, id] of runIds.entries()) {
          const run = (await get(srv.url, 'runs/get', { run_id: id })).json.run;
          expect(run.data.params).toEqual([{ key: 'i', value: String(i) }]);
          expect(run.data.metrics).toContainEqual({ key: 'acc', value: i, timestamp: 9000, step: 0 });
          const hist = (await get(srv.url, 'metrics/get-history', { run_id: id, metric_key: 'loss' })).json.metrics;
          expect(hist).toHaveLength(20);
        }
      }
    });

    it('sees a rename, a delete and a tag made through the other server at once', async () => {
      const { experiment_id } = await post(b.url, 'experiments/create', { name: 'moving' });
      await post(a.url, 'experiments/update', { experiment_id, new_name: 'moved' });
      expect((await get(b.url, 'experiments/get', { experiment_id })).json.experiment.name).toBe('moved');
      await post(b.url, 'experiments/set-experiment-tag', { experiment_id, key: 'k', value: 'v' });
      expect((await get(a.url, 'experiments/get', { experiment_id })).json.experiment.tags).toEqual([{ key: 'k', value: 'v' }]);
      await post(a.url, 'experiments/delete', { experiment_id });
      expect((await get(b.url, 'experiments/get', { experiment_id })).json.experiment.lifecycle_stage).toBe('deleted');
      // A name taken through one server is refused through the other.
      const dup = await fetch(`${b.url}/api/2.0/mlflow/experiments/create`, {
        method: 'POST',
        body: JSON.stringify({ name: 'moved' }),
        headers: { 'Content-Type': 'application/json' },
      });
      expect(dup.status).toBe(400);
      expect((await dup.json()).error_code).toBe('RESOURCE_ALREADY_EXISTS');
    });

    it('answers the Model Registry on a database store, through either server', async () => {
      const name = `scale-out-model-${Date.now()}`;
      const missing = await get(a.url, 'registered-models/get', { name });
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Registered Model with name=${name} not found` });
      const created = await fetch(`${a.url}/api/2.0/mlflow/registered-models/create`, {
        method: 'POST',
        body: JSON.stringify({ name }),
        headers: { 'Content-Type': 'application/json' },
      });
      expect(created.status).toBe(200);
      const viaB = await get(b.url, 'registered-models/get', { name });
      expect(viaB.status).toBe(200);
      expect(viaB.json.registered_model.name).toBe(name);
    });
  });
}

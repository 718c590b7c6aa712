/**
 * `mlf server` speed through HTTP on a loopback port, SQLite store: the four operations MLflow's own
 * server was measured on (baselines: MLflow 2.17 server on SQLite, same machine class). Each number
 * is the median of several runs, over one keep-alive connection, as a client library would do it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSettings, startServer } from '../src/server/serve.js';
import { createLogger } from '../src/server/logger.js';

export interface ServerBenchRow {
  name: string;
  ms: number;
  baselineMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeIt(times: number, fn: () => Promise<void>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function benchServer(): Promise<ServerBenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-server-'));
  const srv = await startServer(
    resolveSettings({ backendStoreUri: `sqlite:///${path.join(dir, 'mlflow.db')}`, port: 0, artifactsDestination: path.join(dir, 'a') }),
    createLogger('none'),
  );
  const api = `${srv.url}/api/2.0/mlflow`;
  const post = async (route: string, body: unknown): Promise<any> => {
    const r = await fetch(`${api}/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const j = await r.json();
    if (r.status !== 200) throw new Error(`${route}: ${JSON.stringify(j)}`);
    return j;
  };
  try {
    const rows: ServerBenchRow[] = [];
    const { experiment_id } = await post('experiments/create', { name: 'bench' });
    const newRun = async (i: number) => (await post('runs/create', { experiment_id, start_time: i, user_id: 'bench' })).run.info.run_id as string;

    // Warm up the connection and the store.
    for (let i = 0; i < 20; i++) await newRun(i);

    rows.push({ name: 'server: create run', ms: await timeIt(200, async () => void (await newRun(1))), baselineMs: 4.8 });

    const batchRun = await newRun(2);
    let step = 0;
    rows.push({
      name: 'server: log-batch 1000 metrics',
      ms: await timeIt(20, async () => {
        const base = step;
        step += 1000;
        await post('runs/log-batch', {
          run_id: batchRun,
          metrics: Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i / 7, timestamp: 1_700_000_000_000 + i, step: base + i })),
        });
      }),
      baselineMs: 63,
    });

    // 2000 runs in a fresh experiment, each with a metric, a param and a tag.
    const { experiment_id: searchExp } = await post('experiments/create', { name: 'bench-search' });
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < 2000; i += 8) {
          const id = (await post('runs/create', { experiment_id: searchExp, start_time: i })).run.info.run_id;
          await post('runs/log-batch', {
            run_id: id,
            metrics: [{ key: 'loss', value: i / 2000, timestamp: i, step: 0 }],
            params: [{ key: 'i', value: String(i) }],
            tags: [{ key: 't', value: 'x' }],
          });
        }
      }),
    );
    rows.push({
      name: 'server: search 2000 runs',
      ms: await timeIt(5, async () => {
        const r = await post('runs/search', { experiment_ids: [searchExp], max_results: 2000 });
        if (r.runs.length !== 2000) throw new Error(`search returned ${r.runs.length} runs`);
      }),
      baselineMs: 220,
    });

    const histRun = await newRun(3);
    for (let b = 0; b < 10; b++) {
      await post('runs/log-batch', {
        run_id: histRun,
        metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + b * 1000 + i, step: b * 1000 + i })),
      });
    }
    rows.push({
      name: 'server: metric history 10k points',
      ms: await timeIt(5, async () => {
        const r = await fetch(`${api}/metrics/get-history?run_id=${histRun}&metric_key=loss`);
        const j = (await r.json()) as { metrics: unknown[] };
        if (j.metrics.length !== 10_000) throw new Error(`history returned ${j.metrics.length} points`);
      }),
      baselineMs: 425,
    });
    return rows;
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

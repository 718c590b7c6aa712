/**
 * Web UI speed in Debian's chromium, against the targets: the runs table of a 50,000-run
 * experiment showing its first page (cold page load, and navigation inside the app), a
 * 10,000-point metric chart drawing, and the initial bundle's gzipped size. The 50,000 runs go
 * into SQLite in one transaction of prepared inserts (seconds), not through 50,000 HTTP calls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectSql } from '../src/stores/sql/connect.js';
import { rawSqliteHandle } from '../src/stores/sql/dialects/sqlite/handles.js';
import { parseStoreUri, type SqlStoreUri } from '../src/tracking/uri.js';
import { findChromium, launchChromium } from '../test/ui/chromium.js';
import { startUiServer } from '../test/ui/serve-ui.js';

export interface UiBenchRow {
  name: string;
  ms: number;
  baselineMs?: number;
  baseline?: string;
}

const RUNS = Number(process.env.MLF_BENCH_UI_RUNS ?? 50_000);
const POINTS = 10_000;
const REPEAT = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function fill(dbFile: string, expId: string): Promise<number> {
  const t0 = performance.now();
  const conn = await connectSql(parseStoreUri(`sqlite:///${dbFile}`) as SqlStoreUri);
  try {
    const raw = rawSqliteHandle(conn.db)!;
    const insRun = raw.prepare(
      `insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) values (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, null, '', 'active', ?, ?)`,
    );
    const insLatest = raw.prepare(`insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, 0, 0, ?)`);
    const insMetric = raw.prepare(`insert into metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, 0, 0, ?)`);
    const insParam = raw.prepare(`insert into params (key, value, run_uuid) values (?, ?, ?)`);
    const insTag = raw.prepare(`insert into tags (key, value, run_uuid) values (?, ?, ?)`);
    const start = Date.UTC(2026, 0, 1);
    raw.transaction(() => {
      for (let i = 0; i < RUNS; i++) {
        const id = (0xbe000000 + i).toString(16).padStart(32, '0');
        const t = start + i * 1000;
        insRun.run(id, `run-${i}`, t, t + 60_000, `mlflow-artifacts:/${expId}/${id}/artifacts`, Number(expId));
        for (const [k, v] of [
          ['loss', 1 / (1 + i)],
          ['accuracy', (i % 1000) / 1000],
          ['f1', (i % 97) / 97],
        ] as const) {
          insLatest.run(k, v, t, id);
          insMetric.run(k, v, t, id);
        }
        for (let k = 0; k < 5; k++) insParam.run(`p${k}`, String((i + k) % 13), id);
        insTag.run('mlflow.runName', `run-${i}`, id);
        insTag.run('team', i % 2 ? 'vision' : 'nlp', id);
      }
    })();
  } finally {
    await conn.close();
  }
  return performance.now() - t0;
}

export async function benchUi(): Promise<UiBenchRow[]> {
  if (!findChromium()) throw new Error('no chromium (apt-get install chromium, or set MLF_CHROMIUM)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-ui-'));
  const distUi = path.resolve('dist', 'ui');
  const uiDir = fs.existsSync(path.join(distUi, 'index.html')) ? distUi : path.join(dir, 'ui');
  const server = await startUiServer({ dir, uiDir });
  const browser = await launchChromium();
  try {
    const expId = (await server.api('POST', 'mlflow/experiments/create', { name: 'bench-50k' })).experiment_id;
    const seedMs = await fill(path.join(dir, 'mlflow.db'), expId);
    const small = (await server.api('POST', 'mlflow/experiments/create', { name: 'history' })).experiment_id;
    const runId = (await server.api('POST', 'mlflow/runs/create', { experiment_id: small, start_time: 1 })).run.info.run_id;
    for (let s = 0; s < POINTS; s += 1000) {
      const metrics = Array.from({ length: 1000 }, (_, j) => ({ key: 'loss', value: Math.exp(-(s + j) / 3000) + Math.random() * 0.01, timestamp: 1000 + s + j, step: s + j }));
      await server.api('POST', 'mlflow/runs/log-batch', { run_id: runId, metrics });
    }

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const firstRow = () => page.locator('table[aria-label="Runs"] tbody tr').first().waitFor({ timeout: 30_000 });
    const cold: number[] = [];
    const nav: number[] = [];
    const chart: number[] = [];
    const chartTotal: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      // Cold: a fresh load of the runs URL (bundle from cache after the first round, as a browser would).
      let t0 = performance.now();
      await page.goto(`${server.url}/#/experiments/${expId}`);
      await firstRow();
      cold.push(performance.now() - t0);
      // In the app: from the experiments list, one click to the big experiment.
      await page.goto(`${server.url}/#/`);
      await page.getByRole('link', { name: 'bench-50k' }).waitFor();
      t0 = performance.now();
      await page.getByRole('link', { name: 'bench-50k' }).click();
      await firstRow();
      nav.push(performance.now() - t0);

      await page.goto(`${server.url}/#/experiments/${small}/runs/${runId}`);
      await page.getByRole('tab', { name: 'Metrics' }).waitFor();
      t0 = performance.now();
      await page.getByRole('tab', { name: 'Metrics' }).click();
      const el = page.locator('.chart[data-draw-ms]');
      await el.waitFor({ timeout: 30_000 });
      chartTotal.push(performance.now() - t0);
      chart.push(Number(await el.getAttribute('data-draw-ms')));
    }
    const gz = fs.readdirSync(uiDir).filter((f) => f.endsWith('.gz'));
    const bundleKb = gz.reduce((n, f) => n + fs.statSync(path.join(uiDir, f)).size, 0) / 1024;
    const target = 'issue 20 target';
    return [
      { name: `ui: seed ${RUNS.toLocaleString('en')} runs into SQLite (one transaction)`, ms: seedMs },
      { name: `ui: runs table first page, cold page load (${RUNS.toLocaleString('en')} runs)`, ms: median(cold), baselineMs: 1000, baseline: target },
      { name: `ui: runs table first page, navigation in the app (${RUNS.toLocaleString('en')} runs)`, ms: median(nav), baselineMs: 1000, baseline: target },
      { name: `ui: ${POINTS.toLocaleString('en')}-point metric chart, draw`, ms: median(chart), baselineMs: 300, baseline: target },
      { name: `ui: ${POINTS.toLocaleString('en')}-point metric chart, tab click to drawn (history fetch included)`, ms: median(chartTotal) },
      { name: 'ui: initial bundle gzipped, in kB (not ms)', ms: bundleKb, baselineMs: 300, baseline: target + ' (kB)' },
    ];
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

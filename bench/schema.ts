/**
 * The same store work on a database at mlf's head (MLflow 3's schema: workspace columns, the metrics
 * (run_uuid, key, step) index, more tables for gc to look at) and on one at MLflow 2.17's head
 * (f5a4f2784254), both SQLite, in the same run: create run, log-batch of 1000 metrics, a search over
 * 1000 runs and gc of 200 deleted runs. The target is "within 10%" (ratio ≥ 0.91).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTrackingStore } from '../src/stores/open-store.js';
import { connectSql } from '../src/stores/sql/connect.js';
import { HEAD_REVISION, upgrade } from '../src/stores/sql/migrate/index.js';
import { parseDbUri } from '../src/tracking/uri.js';
import type { Metric } from '../src/tracking/entities.js';
import type { BenchRow } from './sql-store.js';

async function time(fn: () => Promise<unknown>, repeat: number): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.min(...out);
}

interface Figures {
  create: number;
  batch: number;
  search: number;
  gc: number;
}

/** One database at `rev` (null: mlf's head), the four figures on it. */
async function measure(dir: string, rev: string | null): Promise<Figures> {
  const file = path.join(dir, `${rev ?? 'head'}.db`);
  if (rev) {
    const conn = await connectSql(parseDbUri(`sqlite:///${file}`));
    await upgrade(conn, { to: rev });
    await conn.close();
  }
  const store = await openTrackingStore(`sqlite:///${file}`);
  try {
    const exp = await store.createExperiment({ name: 'bench' });
    const N = 200;
    const create = (await time(async () => {
      for (let i = 0; i < N; i++) await store.createRun({ experimentId: exp, startTime: Date.now(), userId: 'bench' });
    }, 3)) / N;

    const run = await store.createRun({ experimentId: exp, startTime: 1 });
    let step = 0;
    const batch = (): Metric[] =>
      Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i, timestamp: 1_700_000_000_000 + step, step: step++ }));
    const batchMs = await time(() => store.logBatch(run.info.runId, { metrics: batch() }), 7);

    const sexp = await store.createExperiment({ name: 'bench-search' });
    for (let i = 0; i < 1000; i++) {
      const r = await store.createRun({ experimentId: sexp, startTime: 1_700_000_000_000 + i });
      await store.logBatch(r.info.runId, {
        params: [{ key: 'i', value: String(i % 7) }],
        metrics: [{ key: 'loss', value: (i * 31) % 1000, timestamp: 1, step: 0 }],
        tags: [{ key: 't', value: `v${i % 3}` }],
      });
    }
    const search = await time(() => store.searchRuns({ experimentIds: [sexp], filter: "metrics.loss > 100 and params.i != '3'", orderBy: ['metrics.loss DESC'] }), 5);

    const gexp = await store.createExperiment({ name: 'bench-gc' });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await store.createRun({ experimentId: gexp, startTime: 1 });
      await store.logBatch(r.info.runId, { metrics: Array.from({ length: 20 }, (_, s) => ({ key: 'loss', value: s, timestamp: 1, step: s })) });
      await store.deleteRun(r.info.runId);
      ids.push(r.info.runId);
    }
    const gc = await time(() => store.purgeRuns(ids), 1);
    return { create, batch: batchMs, search, gc };
  } finally {
    await store.close();
  }
}

export async function benchSchema(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-schema-'));
  // The same journal mode on both: mlf makes a new database WAL but leaves an existing one's mode.
  const mode = process.env.MLF_SQLITE_JOURNAL_MODE;
  process.env.MLF_SQLITE_JOURNAL_MODE = 'wal';
  try {
    const old = await measure(dir, 'f5a4f2784254');
    const head = await measure(dir, null);
    const base = 'same at MLflow 2.17 (f5a4f2784254)';
    const at = `at ${HEAD_REVISION}`;
    return [
      { name: `create run, SQLite ${at}`, ms: head.create, baselineMs: old.create, baseline: base },
      { name: `log-batch 1000 metrics, SQLite ${at}`, ms: head.batch, baselineMs: old.batch, baseline: base },
      { name: `search 1000 runs, filter + order, SQLite ${at}`, ms: head.search, baselineMs: old.search, baseline: base },
      { name: `gc 200 deleted runs, SQLite ${at}`, ms: head.gc, baselineMs: old.gc, baseline: base },
    ];
  } finally {
    if (mode === undefined) delete process.env.MLF_SQLITE_JOURNAL_MODE;
    else process.env.MLF_SQLITE_JOURNAL_MODE = mode;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

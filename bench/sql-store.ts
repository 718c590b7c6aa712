/**
 * SQL store speed on SQLite, each figure against a baseline measured in the same run: the raw
 * driver (better-sqlite3 prepared statements) doing the same rows. MLflow itself is measured beside
 * mlf by `npm run bench -- --against <url>`, never quoted from an earlier run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTrackingStore } from '../src/stores/open-store.js';
import type { Metric } from '../src/tracking/entities.js';
import { encodeMetricValue } from '../src/stores/sql/rows.js';

export interface BenchRow {
  name: string;
  ms: number;
  baselineMs: number;
  baseline: string;
}

function best(times: number[]): number {
  return Math.min(...times);
}

async function time(fn: () => Promise<unknown> | unknown, repeat = 5): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best(out);
}

export async function benchSqlStore(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-sql-'));
  const file = path.join(dir, 'mlflow.db');
  const store = await openTrackingStore(`sqlite:///${file}`);
  const rows: BenchRow[] = [];
  try {
    const expId = await store.createExperiment({ name: 'bench' });
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');

    // create run
    const N = 300;
    const tCreate = await time(async () => {
      for (let i = 0; i < N; i++) await store.createRun({ experimentId: expId, startTime: Date.now(), userId: 'bench' });
    }, 3);
    const insRun = raw.prepare(
      `insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) values (?, ?, 'UNKNOWN', '', '', 'bench', 'RUNNING', ?, null, null, '', 'active', ?, ?)`,
    );
    const insTag = raw.prepare(`insert into tags (key, value, run_uuid) values (?, ?, ?)`);
    const rawCreate = raw.transaction((id: string) => {
      insRun.run(id, 'n', Date.now(), `/x/${id}/artifacts`, Number(expId));
      insTag.run('mlflow.runName', 'n', id);
    });
    const tRawCreate = await time(() => {
      for (let i = 0; i < N; i++) rawCreate(crypto.randomUUID().replace(/-/g, ''));
    }, 3);
    rows.push({ name: 'create run (SQLite store)', ms: tCreate / N, baselineMs: tRawCreate / N, baseline: 'raw better-sqlite3' });

    // log-batch of 1000 metrics
    const run = await store.createRun({ experimentId: expId, startTime: 1 });
    let step = 0;
    const batch = (): Metric[] => {
      const ms: Metric[] = [];
      for (let i = 0; i < 1000; i++) ms.push({ key: `m${i % 20}`, value: Math.random(), timestamp: 1_700_000_000_000 + step, step: step++ });
      return ms;
    };
    const tBatch = await time(() => store.logBatch(run.info.runId, { metrics: batch() }), 7);
    const rawRun = await store.createRun({ experimentId: expId, startTime: 1 });
    const insMetric = raw.prepare(`insert or ignore into metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, ?, ?, ?)`);
    const upLatest = raw.prepare(
      `insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, ?, ?, ?) on conflict (key, run_uuid) do update set value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan`,
    );
    const rawBatch = raw.transaction((ms: Metric[]) => {
      const latest = new Map<string, Metric>();
      for (const m of ms) {
        const e = encodeMetricValue(m.value);
        insMetric.run(m.key, e.value, m.timestamp, m.step, e.is_nan, rawRun.info.runId);
        latest.set(m.key, m);
      }
      for (const m of latest.values()) {
        const e = encodeMetricValue(m.value);
        upLatest.run(m.key, e.value, m.timestamp, m.step, e.is_nan, rawRun.info.runId);
      }
    });
    const tRawBatch = await time(() => rawBatch(batch()), 7);
    rows.push({ name: 'log-batch 1000 metrics (SQLite store)', ms: tBatch, baselineMs: tRawBatch, baseline: 'raw better-sqlite3' });

    // history of 10,000 points
    const hist = await store.createRun({ experimentId: expId, startTime: 1 });
    for (let b = 0; b < 10; b++) {
      const ms: Metric[] = [];
      for (let i = 0; i < 1000; i++) ms.push({ key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + b * 1000 + i, step: b * 1000 + i });
      await store.logBatch(hist.info.runId, { metrics: ms });
    }
    const tHist = await time(() => store.getMetricHistory(hist.info.runId, 'loss'), 7);
    // The fewest columns that answer (the key is the one asked for), as arrays.
    const selHist = raw.prepare(`select value, timestamp, step, is_nan from metrics where run_uuid = ? and key = ? order by step, timestamp, value`).raw();
    const tRawHist = await time(() => selHist.all(hist.info.runId, 'loss'), 7);
    rows.push({ name: 'metric history 10,000 points (SQLite store)', ms: tHist, baselineMs: tRawHist, baseline: 'raw better-sqlite3' });

    // search over 2000 runs, shaped like the server benchmark: each run with a metric, a param and a
    // tag (plus mlflow.runName); one search with a filter and an order returning MLflow's default page
    // of 1000, and one listing all 2000.
    const sexp = await store.createExperiment({ name: 'bench-search' });
    for (let i = 0; i < 2000; i++) {
      const r = await store.createRun({ experimentId: sexp, startTime: 1_700_000_000_000 + i });
      await store.logBatch(r.info.runId, {
        params: [{ key: 'i', value: String(i % 7) }],
        metrics: [{ key: 'loss', value: (i * 31) % 1000, timestamp: 1, step: 0 }],
        tags: [{ key: 't', value: `v${i % 3}` }],
      });
    }
    const tSearch = await time(
      () => store.searchRuns({ experimentIds: [sexp], filter: "metrics.loss > 100 and params.i != '3'", orderBy: ['metrics.loss DESC'] }),
      5,
    );
    // The raw driver reads the same page: the runs that pass the filter in MLflow's order (NaN
    // rank first), then their latest metrics, params, tags and dataset inputs, one IN-list read each.
    // Statements prepared once per text, as mlf's statement cache does.
    const prepared = new Map<string, ReturnType<typeof raw.prepare>>();
    const stmt = (text: string) => prepared.get(text) ?? prepared.set(text, raw.prepare(text)).get(text)!;
    const hydrate = (ids: string[]) => {
      const list = ids.map(() => '?').join(', ');
      stmt(`select run_uuid, key, value, timestamp, step, is_nan from latest_metrics where run_uuid in (${list})`).all(...ids);
      stmt(`select run_uuid, key, value from params where run_uuid in (${list})`).all(...ids);
      stmt(`select run_uuid, key, value from tags where run_uuid in (${list})`).all(...ids);
      stmt(
        `select i.destination_id, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile
         from inputs i join datasets d on d.dataset_uuid = i.source_id where i.destination_type = 'RUN' and i.source_type = 'DATASET' and i.destination_id in (${list})`,
      ).all(...ids);
    };
    const runCols = 'r.run_uuid, r.name, r.user_id, r.status, r.start_time, r.end_time, r.deleted_time, r.lifecycle_stage, r.artifact_uri, r.experiment_id';
    const rawFiltered = raw.prepare(
      `select ${runCols} from runs r left join latest_metrics o on o.run_uuid = r.run_uuid and o.key = 'loss'
       where r.experiment_id = ? and r.lifecycle_stage = 'active'
         and exists (select 1 from latest_metrics m where m.run_uuid = r.run_uuid and m.key = 'loss' and m.value > 100)
         and exists (select 1 from params p where p.run_uuid = r.run_uuid and p.key = 'i' and p.value <> '3')
       order by case when o.value is null then 2 when o.is_nan = 1 then 1 else 0 end, o.value desc, r.start_time desc, r.run_uuid limit 1001`,
    );
    const rawAll = raw.prepare(`select ${runCols} from runs r where r.experiment_id = ? and r.lifecycle_stage = 'active' order by r.start_time desc, r.run_uuid limit 2001`);
    const tRawSearch = await time(() => hydrate((rawFiltered.all(Number(sexp)) as { run_uuid: string }[]).slice(0, 1000).map((r) => r.run_uuid)), 5);
    const tRawList = await time(() => hydrate((rawAll.all(Number(sexp)) as { run_uuid: string }[]).slice(0, 2000).map((r) => r.run_uuid)), 5);
    rows.push({ name: 'search 2000 runs, filter + order, page of 1000 (SQLite store)', ms: tSearch, baselineMs: tRawSearch, baseline: 'raw better-sqlite3' });
    const tList = await time(() => store.searchRuns({ experimentIds: [sexp], maxResults: 2000 }), 5);
    rows.push({ name: 'search 2000 runs, all returned (SQLite store)', ms: tList, baselineMs: tRawList, baseline: 'raw better-sqlite3' });
    raw.close();
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * The SQL store on PostgreSQL and MySQL beside the raw driver (pg, mysql2) doing the same rows in
 * one transaction on one connection: the floor for each workload, measured in the same run on a
 * fresh database with no planner statistics (what a new or just-restored database has).
 * `MLF_BENCH_DIALECTS=postgresql` narrows the dialects.
 */
import crypto from 'node:crypto';
import { openTrackingStore } from '../src/stores/open-store.js';
import type { TrackingStore } from '../src/stores/tracking-store.js';
import type { Metric } from '../src/tracking/entities.js';
import { parsePackedNumbers } from '../src/stores/sql/dialects/common.js';
import { createBenchDatabase, rawConnect, type BenchDialect, type RawConn } from './databases.js';

export interface BenchRow {
  name: string;
  ms: number;
  baselineMs: number;
  baseline: string;
}

/** Untimed turns of each read before the timed ones, and how many are timed (medians). */
const READ_WARMUP = 5;
const READ_TIMES = 15;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function timeMedian(repeat: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return median(out);
}

const newId = () => crypto.randomUUID().replace(/-/g, '');
const marks = (n: number, cols: number) => Array.from({ length: n }, () => `(${Array(cols).fill('?').join(', ')})`).join(', ');

/** Many rows into one table in multi-row statements (bench data, not measured). */
export async function bulkInsert(c: RawConn, table: string, cols: string[], rows: unknown[][], per = 2000): Promise<void> {
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    await c.query(`insert into ${table} (${cols.join(', ')}) values ${marks(part.length, cols.length)}`, part.flat());
  }
}

const RUN_COLS = ['run_uuid', 'name', 'source_type', 'source_name', 'entry_point_name', 'user_id', 'status', 'start_time', 'end_time', 'deleted_time', 'source_version', 'lifecycle_stage', 'artifact_uri', 'experiment_id'];
export const runRow = (id: string, expId: number, start: number) => [id, 'n', 'UNKNOWN', '', '', 'bench', 'RUNNING', start, null, null, '', 'active', `/x/${id}/artifacts`, expId];
export const RUN_COLUMNS = RUN_COLS;

/** The raw driver's version of each workload, the fewest statements that keep MLflow's rules. */
export class Raw {
  constructor(
    private readonly c: RawConn,
    private readonly dialect: BenchDialect | 'sqlite',
  ) {}

  private async tx(fn: () => Promise<void>): Promise<void> {
    await this.c.query('begin');
    try {
      await fn();
      await this.c.query('commit');
    } catch (e) {
      await this.c.query('rollback');
      throw e;
    }
  }

  private upsertTail(keys: string[], update: string[]): string {
    if (this.dialect !== 'mysql') return ` on conflict (${keys.join(', ')}) do ${update.length ? 'update set ' + update.map((u) => `${u} = excluded.${u}`).join(', ') : 'nothing'}`;
    return ` on duplicate key update ${(update.length ? update : [keys[0]!]).map((u) => `${u} = values(${u})`).join(', ')}`;
  }

  async createRun(expId: number): Promise<string> {
    const id = newId();
    await this.tx(async () => {
      const [exp] = await this.c.query('select lifecycle_stage, artifact_location from experiments where experiment_id = ?', [expId]);
      if (exp.lifecycle_stage !== 'active') throw new Error('experiment not active');
      await this.c.query(`insert into runs (${RUN_COLS.join(', ')}) values ${marks(1, RUN_COLS.length)}`, runRow(id, expId, Date.now()));
      await this.c.query('insert into tags (key, value, run_uuid) values (?, ?, ?)', ['mlflow.runName', 'n', id]);
    });
    return id;
  }

  private async activeRun(runId: string): Promise<void> {
    const [r] = await this.c.query('select lifecycle_stage from runs where run_uuid = ?', [runId]);
    if (r.lifecycle_stage !== 'active') throw new Error('run not active');
  }

  /**
   * PostgreSQL: one array parameter per column (`select * from unnest(...)`), which PostgreSQL parses
   * and plans faster than thousands of VALUES parameters; the best a raw client can do, so the floor
   * is not slower than mlf's own statement.
   */
  private async insertMany(table: string, cols: string[], pgTypes: string[], rows: unknown[][], tail: string): Promise<void> {
    if (this.dialect === 'postgresql') {
      const arrays = cols.map((_, k) => rows.map((r) => r[k]));
      await this.c.query(`insert into ${table} (${cols.join(', ')}) select * from unnest(${pgTypes.map((t) => `?::${t}[]`).join(', ')})${tail}`, arrays);
      return;
    }
    await this.c.query(`insert into ${table} (${cols.join(', ')}) values ${marks(rows.length, cols.length)}${tail}`, rows.flat());
  }

  logMetrics(runId: string, metrics: Metric[]): Promise<void> {
    return this.tx(async () => {
      await this.activeRun(runId);
      const cols = ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'];
      const types = ['text', 'float8', 'int8', 'int8', 'bool', 'text'];
      const isNan = this.dialect === 'postgresql' ? false : 0;
      const rows = metrics.map((m) => [m.key, m.value, m.timestamp, m.step, isNan, runId]);
      if (this.dialect === 'mysql') await this.c.query(`insert ignore into metrics (${cols.join(', ')}) values ${marks(rows.length, 6)}`, rows.flat());
      else await this.insertMany('metrics', cols, types, rows, ' on conflict do nothing');
      const latest = new Map<string, Metric>();
      for (const m of metrics) {
        const cur = latest.get(m.key);
        if (!cur || m.step > cur.step || (m.step === cur.step && m.timestamp > cur.timestamp)) latest.set(m.key, m);
      }
      if (this.dialect === 'postgresql') {
        // The database keeps the maximum itself (no read of the current rows), as mlf does there.
        const up = [...latest.values()].map((m) => [m.key, m.value, m.timestamp, m.step, false, runId]);
        const newer = ` where (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`;
        await this.insertMany('latest_metrics', cols, types, up, `${this.upsertTail(['key', 'run_uuid'], ['value', 'timestamp', 'step', 'is_nan'])}${newer}`);
        return;
      }
      const keys = [...latest.keys()];
      const current = await this.c.query(`select key, step, timestamp, value from latest_metrics where run_uuid = ? and key in (${keys.map(() => '?').join(', ')})`, [runId, ...keys]);
      const have = new Map(current.map((r) => [r.key as string, r]));
      const up = [...latest.values()].filter((m) => {
        const c = have.get(m.key);
        return !c || m.step > Number(c.step) || (m.step === Number(c.step) && m.timestamp > Number(c.timestamp));
      });
      if (up.length) {
        await this.c.query(
          `insert into latest_metrics (${cols.join(', ')}) values ${marks(up.length, 6)}${this.upsertTail(['key', 'run_uuid'], ['value', 'timestamp', 'step', 'is_nan'])}`,
          up.flatMap((m) => [m.key, m.value, m.timestamp, m.step, 0, runId]),
        );
      }
    });
  }

  logParams(runId: string, params: { key: string; value: string }[]): Promise<void> {
    return this.tx(async () => {
      await this.activeRun(runId);
      const existing = await this.c.query(`select key, value from params where run_uuid = ? and key in (${params.map(() => '?').join(', ')})`, [runId, ...params.map((p) => p.key)]);
      const have = new Map(existing.map((r) => [r.key as string, r.value as string]));
      if (params.some((p) => have.has(p.key) && have.get(p.key) !== p.value)) throw new Error('param changed');
      const fresh = params.filter((p) => !have.has(p.key));
      if (fresh.length) await this.insertMany('params', ['key', 'value', 'run_uuid'], ['text', 'text', 'text'], fresh.map((p) => [p.key, p.value, runId]), '');
    });
  }

  /**
   * metrics.loss > 100 and params.i != '3', order by metrics.loss desc, a page of 1000, hydrated:
   * what MLflow's search must do, so the NaN rank of its metric order and the page's dataset inputs
   * are read too. The cheapest reads mlf knows, so the floor stays a floor: the filter on the
   * ordered metric reads the joined row, and the page's child rows come as one JSON text where the
   * database prints their values exactly (PostgreSQL; SQLite without its doubles).
   */
  async search(expId: number): Promise<number> {
    const q = this.dialect === 'mysql' ? '`key`' : '"key"';
    const pg = this.dialect === 'postgresql';
    // The per-run probes the store compiles (PostgreSQL: fenced with `offset 0`, see existsFence):
    // a plain join here gets a quadratic plan on a database without statistics.
    const fence = pg ? 'offset 0' : '';
    const sortRow = pg
      ? `left join lateral (select o.value, o.is_nan from latest_metrics o where o.run_uuid = r.run_uuid and o.${q} = 'loss' offset 0) o on true`
      : `left join latest_metrics o on o.run_uuid = r.run_uuid and o.${q} = 'loss'`;
    const nan = pg ? 'true' : '1';
    const page = await this.c.query(
      `select r.run_uuid, r.name, r.user_id, r.status, r.start_time, r.end_time, r.deleted_time, r.lifecycle_stage, r.artifact_uri, r.experiment_id
       from runs r ${sortRow}
       where r.experiment_id = ? and r.lifecycle_stage = 'active'
         and case when o.is_nan = ${pg ? 'false' : '0'} and o.value > 100 then 1 else 0 end = 1
         and exists (select 1 from params p where p.run_uuid = r.run_uuid and p.${q} = 'i' and p.value <> '3' ${fence})
       order by case when o.value is null then 2 when o.is_nan = ${nan} then 1 else 0 end, o.value desc, r.start_time desc, r.run_uuid limit 1001`,
      [expId],
    );
    const ids = page.slice(0, 1000).map((r) => r.run_uuid as string);
    const inList = ids.map(() => '?').join(', ');
    await this.rows(`select run_uuid, key, value, timestamp, step, is_nan from latest_metrics where run_uuid in (${inList})`, ids, pg);
    await this.rows(`select run_uuid, key, value from params where run_uuid in (${inList})`, ids, pg || this.dialect === 'sqlite');
    await this.rows(`select run_uuid, key, value from tags where run_uuid in (${inList})`, ids, pg || this.dialect === 'sqlite');
    await this.rows(
      `select i.destination_id, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile
       from inputs i join datasets d on d.dataset_uuid = i.source_id
       where i.destination_type = 'RUN' and i.source_type = 'DATASET' and i.destination_id in (${inList})`,
      ids,
      pg || this.dialect === 'sqlite',
    );
    return ids.length;
  }

  /** A read's rows, packed into one JSON text of arrays where `pack` says the values stay exact. */
  private async rows(text: string, params: unknown[], pack: boolean): Promise<unknown[]> {
    if (!pack) return this.c.query(text, params);
    const cols = text.slice('select '.length, text.indexOf(' from ')).split(',').map((c) => `s.${c.trim().replace(/^\w+\./, '')}`);
    const [agg, arr, cast] = this.dialect === 'postgresql' ? ['json_agg', 'json_build_array', '::text'] : ['json_group_array', 'json_array', ''];
    const [row] = await this.c.query(`select ${agg}(${arr}(${cols.join(', ')}))${cast} as j from (${text}) s`, params);
    return JSON.parse(((row as { j: string | null }).j ?? '[]') as string) as unknown[];
  }

  async history(runId: string): Promise<number> {
    // The fewest columns that answer: the key is the one asked for. PostgreSQL prints the points
    // as one text, as the store reads them.
    if (this.dialect === 'postgresql') {
      const [row] = await this.c.query(
        `select string_agg(concat(value, ',', timestamp, ',', step, ',', is_nan), ';' order by step, timestamp, value) as h from metrics where run_uuid = ? and key = ?`,
        [runId, 'loss'],
      );
      return parsePackedNumbers(((row as { h: string | null }).h ?? '') as string, 4).length;
    }
    const rows = await this.c.query('select value, timestamp, step, is_nan from metrics where run_uuid = ? and key = ? order by step, timestamp, value', [runId, 'loss']);
    return rows.length;
  }
}

async function benchDialect(dialect: BenchDialect): Promise<BenchRow[]> {
  const db = await createBenchDatabase(dialect);
  let store: TrackingStore | undefined;
  let c: RawConn | undefined;
  const label = dialect === 'postgresql' ? 'PostgreSQL' : 'MySQL';
  const baseline = dialect === 'postgresql' ? 'raw pg, one transaction' : 'raw mysql2, one transaction';
  const rows: BenchRow[] = [];
  const push = (name: string, ms: number, baselineMs: number) => {
    rows.push({ name: `${name} (${label} store)`, ms, baselineMs, baseline });
    if (process.env.MLF_BENCH_VERBOSE) console.error(`${label} ${name}: ${ms.toFixed(2)} / ${baselineMs.toFixed(2)} ms`);
  };
  try {
    store = await openTrackingStore(db.uri);
    c = await rawConnect(dialect, db.uri);
    const raw = new Raw(c, dialect);
    const expId = await store.createExperiment({ name: 'bench' });
    const exp = Number(expId);

    // Warm both sides (connections, JIT, statement caches), then alternate so load drifts hit both.
    const N = 200;
    for (let i = 0; i < 50; i++) {
      await store.createRun({ experimentId: expId, startTime: 1, userId: 'bench' });
      await raw.createRun(exp);
    }
    const tStore: number[] = [];
    const tRaw: number[] = [];
    for (let i = 0; i < N; i++) {
      let t = performance.now();
      await store.createRun({ experimentId: expId, startTime: Date.now(), userId: 'bench' });
      tStore.push(performance.now() - t);
      t = performance.now();
      await raw.createRun(exp);
      tRaw.push(performance.now() - t);
    }
    push('create run', median(tStore), median(tRaw));

    // log-batch of 1000 metrics (20 keys), fresh steps each time.
    const sRun = (await store.createRun({ experimentId: expId, startTime: 1 })).info.runId;
    const rRun = (await store.createRun({ experimentId: expId, startTime: 1 })).info.runId;
    let step = 0;
    const batch = (): Metric[] => Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: Math.random(), timestamp: 1_700_000_000_000 + step, step: step++ }));
    for (let i = 0; i < 3; i++) {
      await store.logBatch(sRun, { metrics: batch() });
      await raw.logMetrics(rRun, batch());
    }
    const bS: number[] = [];
    const bR: number[] = [];
    for (let i = 0; i < 15; i++) {
      const a = batch();
      const b = batch();
      let t = performance.now();
      await store.logBatch(sRun, { metrics: a });
      bS.push(performance.now() - t);
      t = performance.now();
      await raw.logMetrics(rRun, b);
      bR.push(performance.now() - t);
    }
    push('log-batch 1000 metrics', median(bS), median(bR));

    // log-batch of 100 new params, each time on a new run.
    const pS: number[] = [];
    const pR: number[] = [];
    for (let i = 0; i < 23; i++) {
      const a = (await store.createRun({ experimentId: expId, startTime: 1 })).info.runId;
      const b = (await store.createRun({ experimentId: expId, startTime: 1 })).info.runId;
      const params = Array.from({ length: 100 }, (_, k) => ({ key: `p${k}`, value: `v${k}` }));
      let t = performance.now();
      await store.logBatch(a, { params });
      const ts = performance.now() - t;
      t = performance.now();
      await raw.logParams(b, params);
      const tr = performance.now() - t;
      if (i >= 3) {
        pS.push(ts);
        pR.push(tr);
      }
    }
    push('log-batch 100 params', median(pS), median(pR));

    // search: 2000 runs with a metric, a param and two tags, written in bulk; no ANALYZE.
    const sexp = Number(await store.createExperiment({ name: 'bench-search' }));
    const ids = Array.from({ length: 2000 }, () => newId());
    await c.query('begin');
    await bulkInsert(c, 'runs', RUN_COLS, ids.map((id, i) => runRow(id, sexp, 1_700_000_000_000 + i)));
    await bulkInsert(c, 'latest_metrics', ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'], ids.map((id, i) => ['loss', (i * 31) % 1000, 1, 0, 0, id]));
    await bulkInsert(c, 'metrics', ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'], ids.map((id, i) => ['loss', (i * 31) % 1000, 1, 0, 0, id]));
    await bulkInsert(c, 'params', ['key', 'value', 'run_uuid'], ids.map((id, i) => ['i', String(i % 7), id]));
    await bulkInsert(c, 'tags', ['key', 'value', 'run_uuid'], ids.flatMap((id, i) => [['t', `v${i % 3}`, id], ['mlflow.runName', `r${i}`, id]]));
    await c.query('commit');
    const search = () => store!.searchRuns({ experimentIds: [String(sexp)], filter: "metrics.loss > 100 and params.i != '3'", orderBy: ['metrics.loss DESC'] });
    const expect = (await search()).items.length;
    const rawCount = await raw.search(sexp);
    if (rawCount !== expect) throw new Error(`raw search found ${rawCount} runs, the store ${expect}`);
    const sS: number[] = [];
    const sR: number[] = [];
    // Reads are timed warm: the first few calls are V8 compiling the store's read path (and the
    // raw side's), which a running server has long done.
    for (let i = 0; i < READ_WARMUP; i++) {
      await search();
      await raw.search(sexp);
    }
    for (let i = 0; i < READ_TIMES; i++) {
      let t = performance.now();
      await search();
      sS.push(performance.now() - t);
      t = performance.now();
      await raw.search(sexp);
      sR.push(performance.now() - t);
    }
    push('search 2000 runs, filter + order, page of 1000', median(sS), median(sR));

    // history of 10,000 points, written in bulk.
    const hRun = (await store.createRun({ experimentId: expId, startTime: 1 })).info.runId;
    await bulkInsert(c, 'metrics', ['key', 'value', 'timestamp', 'step', 'is_nan', 'run_uuid'], Array.from({ length: 10_000 }, (_, i) => ['loss', Math.random(), 1_700_000_000_000 + i, i, 0, hRun]));
    const hS: number[] = [];
    const hR: number[] = [];
    for (let i = 0; i < READ_WARMUP; i++) {
      await store.getMetricHistory(hRun, 'loss');
      await raw.history(hRun);
    }
    for (let i = 0; i < READ_TIMES; i++) {
      let t = performance.now();
      const h = await store.getMetricHistory(hRun, 'loss');
      hS.push(performance.now() - t);
      if (h.length !== 10_000) throw new Error(`history returned ${h.length} points`);
      t = performance.now();
      await raw.history(hRun);
      hR.push(performance.now() - t);
    }
    push('metric history 10,000 points', median(hS), median(hR));
  } finally {
    await c?.close();
    await store?.close();
    await db.drop();
  }
  return rows;
}

export async function benchSqlDialects(): Promise<BenchRow[]> {
  const only = process.env.MLF_BENCH_DIALECTS?.split(',').map((s) => s.trim());
  const rows: BenchRow[] = [];
  for (const d of ['postgresql', 'mysql'] as const) {
    if (only && !only.includes(d)) continue;
    const t = performance.now();
    rows.push(...(await benchDialect(d)));
    if (process.env.MLF_BENCH_VERBOSE) console.error(`${d}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return rows;
}

/**
 * File store speed on a large `mlruns` folder: 10,000 runs in one experiment, each with 20 params,
 * 20 metrics (5 points each) and 10 tags, written directly in MLflow's layout.
 *
 * Timed (best of 3): a search with a metric filter and a metric order, listing one experiment's
 * runs (first page of 100, as MLflow's UI asks, and of 1000, MLflow's default), and getting one run. The baseline is MLflow's file
 * store strategy measured on the same folder with mlf's own reader: load every run in full
 * (all params, metrics and tags), then filter, sort and page in memory.
 *
 * @example
 * for (const row of await benchFileStore()) console.log(row.name, row.ms, row.baselineMs);
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStore } from '../src/stores/file/file-store.js';
import { dumpYaml } from '../src/stores/file/meta-yaml.js';
import { runInfoToMeta } from '../src/stores/file/layout.js';
import { metricLine } from '../src/stores/file/metric-file.js';
import { parseRunFilter, parseRunOrderBy, compareRuns, runMatches } from '../src/tracking/search/index.js';
import { pathToFileUri } from '../src/tracking/uri.js';
import type { Run } from '../src/tracking/entities.js';

export const BENCH_RUNS = 10_000;
const PARAMS = 20;
const METRICS = 20;
const TAGS = 10;
const POINTS = 5;
const EXPERIMENT_ID = '123456789012345678';

function hex32(i: number): string {
  return i.toString(16).padStart(32, '0');
}

/** Writes the folder straight to disk (no store calls), in MLflow's exact layout. */
export function buildBenchFolder(root: string, runs = BENCH_RUNS, points = POINTS): void {
  const expDir = path.join(root, EXPERIMENT_ID);
  fs.mkdirSync(path.join(root, '.trash'), { recursive: true });
  fs.mkdirSync(path.join(root, '0'), { recursive: true });
  const now = 1_700_000_000_000;
  const expMeta = (id: string, name: string) =>
    dumpYaml({
      artifact_location: `${pathToFileUri(root)}/${id}`,
      creation_time: now,
      experiment_id: id,
      last_update_time: now,
      lifecycle_stage: 'active',
      name,
    });
  fs.writeFileSync(path.join(root, '0', 'meta.yaml'), expMeta('0', 'Default'));
  fs.mkdirSync(expDir);
  fs.writeFileSync(path.join(expDir, 'meta.yaml'), expMeta(EXPERIMENT_ID, 'bench'));
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let r = 0; r < runs; r++) {
    const runId = hex32(r + 1);
    const dir = path.join(expDir, runId);
    for (const sub of ['metrics', 'params', 'tags', 'artifacts']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    const start = now + r * 1000;
    fs.writeFileSync(
      path.join(dir, 'meta.yaml'),
      dumpYaml(
        runInfoToMeta({
          runId,
          runName: `run-${r}`,
          experimentId: EXPERIMENT_ID,
          userId: 'bench',
          status: 'FINISHED',
          startTime: start,
          endTime: start + 500,
          artifactUri: `${pathToFileUri(root)}/${EXPERIMENT_ID}/${runId}/artifacts`,
          lifecycleStage: r % 50 === 49 ? 'deleted' : 'active',
          deletedTime: r % 50 === 49 ? now : null,
        }),
      ),
    );
    for (let p = 0; p < PARAMS; p++) fs.writeFileSync(path.join(dir, 'params', `p${p}`), String(Math.floor(rand() * 1000)));
    for (let m = 0; m < METRICS; m++) {
      let text = '';
      for (let s = 0; s < points; s++) text += metricLine({ timestamp: start + s, value: rand(), step: s });
      fs.writeFileSync(path.join(dir, 'metrics', `m${m}`), text);
    }
    fs.writeFileSync(path.join(dir, 'tags', 'mlflow.runName'), `run-${r}`);
    for (let t = 1; t < TAGS; t++) fs.writeFileSync(path.join(dir, 'tags', `t${t}`), `value-${t}-${r % 7}`);
  }
}

/**
 * Peak RSS (MB) of a fresh node process that opens the store and, with `search`, runs that search
 * once: memory is measured apart from the bench's own process and its earlier groups.
 */
function peakRssMb(root: string, search?: { filter: string; orderBy: string[]; maxResults: number }): number {
  const mod = new URL('../src/stores/file/file-store.js', import.meta.url).href;
  const rss = new URL('./peak-rss.js', import.meta.url).href;
  const code = `
    const { FileStore } = await import(${JSON.stringify(mod)});
    const { ownPeakRssMb } = await import(${JSON.stringify(rss)});
    const store = await FileStore.open(${JSON.stringify(root)}, {});
    const s = ${JSON.stringify(search ?? null)};
    if (s) await store.searchRuns({ experimentIds: [${JSON.stringify(EXPERIMENT_ID)}], ...s });
    process.stdout.write(String(ownPeakRssMb()));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
}

async function best(fn: () => Promise<unknown>, repeat = 3): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    await fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.round(min * 10) / 10;
}

export async function benchFileStore(): Promise<{ name: string; ms: number; baselineMs?: number }[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-file-'));
  const root = path.join(tmp, 'mlruns');
  try {
    buildBenchFolder(root);
    // Flush the half-million fresh files first, or kernel writeback competes with the timed reads.
    try {
      execFileSync('sync');
    } catch {
      // no sync(1) here: timings include writeback noise
    }
    const store = await FileStore.open(root, {});
    await store.searchRuns({ experimentIds: [EXPERIMENT_ID], maxResults: 1 }); // warm the dentry cache
    const filter = 'metrics.m3 > 0.5';
    const orderBy = ['metrics.m7 DESC'];
    const search = (maxResults: number) => () => store.searchRuns({ experimentIds: [EXPERIMENT_ID], filter, orderBy, maxResults });
    const list = (maxResults: number) => () => store.searchRuns({ experimentIds: [EXPERIMENT_ID], maxResults });
    const one = () => store.getRun(hex32(5000));

    // MLflow's strategy: every run read in full, then filter, sort, page.
    const runIds = fs.readdirSync(path.join(root, EXPERIMENT_ID)).filter((n) => n !== 'meta.yaml' && n !== 'tags');
    const parsedFilter = parseRunFilter(filter);
    const cmp = compareRuns(parseRunOrderBy(orderBy));
    const readAll = async (f: typeof parsedFilter, c: (a: Run, b: Run) => number) => {
      const runs: Run[] = [];
      for (const id of runIds) {
        const run = await store.getRun(id);
        if (run.info.lifecycleStage === 'active' && runMatches(run, f)) runs.push(run);
      }
      return runs.sort(c).slice(0, 1000);
    };
    const searchBaseline = await best(() => readAll(parsedFilter, cmp), 1);
    const listBaseline = await best(() => readAll([], compareRuns([])), 1);

    return [
      { name: `file: search ${BENCH_RUNS} runs, metric filter + order, page of 100`, ms: await best(search(100)), baselineMs: searchBaseline },
      { name: `file: search ${BENCH_RUNS} runs, metric filter + order, page of 1000`, ms: await best(search(1000)), baselineMs: searchBaseline },
      { name: `file: list one experiment's runs (${BENCH_RUNS}), page of 100`, ms: await best(list(100)), baselineMs: listBaseline },
      { name: `file: list one experiment's runs (${BENCH_RUNS}), page of 1000`, ms: await best(list(1000)), baselineMs: listBaseline },
      { name: 'file: get one run (20 params, 20 metrics, 10 tags)', ms: await best(one) },
      { name: `file: peak RSS (MB) of a process searching ${BENCH_RUNS} runs, metric filter + order, page of 1000`, ms: peakRssMb(root, { filter, orderBy, maxResults: 1000 }) },
      { name: 'file: peak RSS (MB) of the same process only opening the store', ms: peakRssMb(root) },
    ];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `npm run bench`: every figure next to a baseline measured in the same run (the raw driver doing
 * the same rows, `node -e ''`, one-run-at-a-time purges, the same store call without HTTP), and the
 * ratio between them. `MLF_BENCH=sql,server` runs only some groups.
 */
import os from 'node:os';
import { benchSqlStore } from './sql-store.js';
import { benchSqlDialects } from './sql-dialects.js';
import { benchServer } from './server.js';
import { benchJsonParse } from './json-parse.js';
import { benchFileStore } from './file-store.js';
import { benchCli } from './cli.js';
import { benchGc } from './gc.js';
import { benchAuth } from './auth.js';
import { benchUi } from './ui.js';
import { benchImport } from './import.js';
import { benchTraces } from './traces.js';
import { benchSchema } from './schema.js';
import { benchAgainst } from './against.js';
import { benchLoad } from './load.js';
import { benchScale } from './scale.js';

interface Row {
  name: string;
  ms: number;
  baselineMs?: number;
  baseline?: string;
  /** A rate (requests/s): the ratio is read the other way round. */
  higherIsBetter?: boolean;
}

const groups: Record<string, { baseline: string; run: () => Promise<Row[]> }> = {
  sql: { baseline: '', run: benchSqlStore },
  pgmysql: { baseline: 'raw driver', run: benchSqlDialects },
  server: { baseline: '', run: async () => [...(await benchServer()), ...benchJsonParse()] },
  file: { baseline: 'MLflow-style full read', run: benchFileStore },
  cli: { baseline: "node -e ''", run: benchCli },
  gc: { baseline: 'one run at a time', run: benchGc },
  auth: { baseline: 'without auth', run: benchAuth },
  ui: { baseline: 'issue 20 target', run: benchUi },
  import: { baseline: 'read the folder alone', run: benchImport },
  traces: { baseline: 'raw better-sqlite3', run: benchTraces },
  schema: { baseline: 'MLflow 2.17 schema', run: benchSchema },
  load: { baseline: '', run: () => benchLoad() },
  scale: { baseline: '', run: benchScale },
};

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

// `--against <url>`: the REST workloads against that server too (alone, unless MLF_BENCH names groups).
const argv = process.argv.slice(2);
const againstAt = argv.indexOf('--against');
const against = againstAt >= 0 ? argv[againstAt + 1] : undefined;
if (againstAt >= 0 && !against) throw new Error('--against needs the URL of a running MLflow-compatible server');
if (against) {
  groups.against = { baseline: against, run: () => benchAgainst(against) };
  // `MLF_BENCH=load --against <url>`: the many-clients load on that server too, beside mlf's.
  groups.load = { baseline: against, run: () => benchLoad(against) };
}

const only = process.env.MLF_BENCH?.split(',').map((s) => s.trim()) ?? (against ? ['against'] : undefined);
// The machine, so that a pasted table names where it was measured; the load average, since the
// absolute figures follow it.
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' / ');
const started = new Date();
console.log(
  `Machine: ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}; started ${started.toISOString().slice(0, 16)} UTC, load average ${load()}\n`,
);
console.log('| benchmark | mlf (ms) | baseline | baseline (ms) | ratio |');
console.log('|---|---:|---|---:|---:|');
for (const [name, g] of Object.entries(groups)) {
  if (only && !only.includes(name)) continue;
  let rows: Row[];
  try {
    rows = await g.run();
  } catch (e) {
    console.log(`| ${name} | failed: ${(e as Error).message.split('\n')[0]} | | | |`);
    process.exitCode = 1;
    continue;
  }
  for (const r of rows) {
    const base = r.baseline ?? g.baseline;
    if (r.baselineMs === undefined) {
      console.log(`| ${r.name} | ${fmt(r.ms)} | | | |`);
      continue;
    }
    // ratio > 1: mlf is that many times faster than the baseline; < 1: slower (e.g. vs the raw driver).
    const ratio = r.higherIsBetter ? r.ms / r.baselineMs : r.baselineMs / r.ms;
    console.log(`| ${r.name} | ${fmt(r.ms)} | ${base} | ${fmt(r.baselineMs)} | ${ratio >= 1 ? ratio.toFixed(1) + 'x faster' : (1 / ratio).toFixed(2) + 'x slower'} |`);
  }
}
console.log(`\nFinished after ${((Date.now() - started.getTime()) / 60_000).toFixed(0)} min, load average ${load()} (1 / 5 / 15 min)`);

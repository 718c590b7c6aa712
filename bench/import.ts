/**
 * `mlf db import` on an `mlruns` folder: 1000 runs by default (20 params, 20 metrics of 100 points,
 * 10 tags each), so that a whole `npm run bench` takes minutes; issue 17's 10,000 runs
 * with MLF_BENCH_IMPORT_RUNS=10000 (40 minutes into PostgreSQL on a 2-core machine), imported into
 * SQLite and PostgreSQL (MLF_BENCH_IMPORT_TARGETS=postgresql runs one of them alone).
 * Each import runs in its own process, so its peak memory (max RSS) is its own. The baseline is
 * reading the same folder alone, every run whole, with the importer's reader.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBenchFolder } from './file-store.js';
import { ownPeakRssMb } from './peak-rss.js';

const RUNS = Number(process.env.MLF_BENCH_IMPORT_RUNS ?? 1000);
const POINTS = 100;
const TARGETS = (process.env.MLF_BENCH_IMPORT_TARGETS ?? 'sqlite,postgresql').split(',').map((t) => t.trim());
const PG_ADMIN = process.env.MLF_TEST_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface ChildResult {
  ms: number;
  maxRssMb: number;
  runs: number;
  differences: number;
}

/** Runs this file in a child process for one phase and returns what it measured. */
function child(args: string[]): ChildResult {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench child failed: ${(r.stderr || r.stdout).split('\n').slice(-5).join(' ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

async function childMain(phase: string, from: string, to?: string): Promise<void> {
  const t0 = performance.now();
  let runs = 0;
  let differences = 0;
  if (phase === 'read') {
    const { FileSource } = await import('../src/import/file-source.js');
    const src = await FileSource.open(from);
    const exps = [];
    for await (const e of src.experiments()) exps.push(e);
    for (const e of exps) for await (const batch of src.runs(e.experimentId, 200)) runs += batch.length;
  } else {
    const { importStore } = await import('../src/import/importer.js');
    // The id map goes beside the folder, so the bench's temporary directory takes it away.
    const r = await importStore({ from, to: to!, idMapFile: path.join(path.dirname(from), `id-map-${process.pid}.json`) });
    runs = r.runs.total;
    differences = r.differences.length;
  }
  const ms = Math.round(performance.now() - t0);
  console.log(JSON.stringify({ ms, maxRssMb: Math.round(ownPeakRssMb()), runs, differences }));
}

async function pgDatabase(): Promise<{ uri: string; drop: () => Promise<void> } | undefined> {
  const pg = (await import('pg')).default;
  const name = `dbimport_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  return {
    uri: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export async function benchImport(): Promise<{ name: string; ms: number; baselineMs?: number; baseline?: string }[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-import-'));
  const root = path.join(tmp, 'mlruns');
  const rows: { name: string; ms: number; baselineMs?: number; baseline?: string }[] = [];
  try {
    buildBenchFolder(root, RUNS, POINTS);
    try {
      execFileSync('sync');
    } catch {
      // no sync(1): timings include writeback noise
    }
    const read = child(['read', root]);
    const baseline = `read the folder alone (${read.maxRssMb} MB peak)`;
    const shape = `${RUNS} runs x (20 params, 20 metrics x ${POINTS} points, 10 tags)`;
    if (TARGETS.includes('sqlite')) {
      const sqlite = child(['import', root, `sqlite:///${path.join(tmp, 'bench.db')}`]);
      if (sqlite.differences) throw new Error(`import into SQLite verified ${sqlite.differences} difference(s)`);
      rows.push({ name: `db import ${shape} -> SQLite, peak RSS ${sqlite.maxRssMb} MB`, ms: sqlite.ms, baselineMs: read.ms, baseline });
    }
    if (!TARGETS.includes('postgresql')) return rows;
    const pg = await pgDatabase();
    if (pg) {
      try {
        const r = child(['import', root, pg.uri]);
        if (r.differences) throw new Error(`import into PostgreSQL verified ${r.differences} difference(s)`);
        rows.push({ name: `db import ${shape} -> PostgreSQL, peak RSS ${r.maxRssMb} MB`, ms: r.ms, baselineMs: read.ms, baseline });
      } finally {
        await pg.drop();
      }
    } else {
      rows.push({ name: 'db import -> PostgreSQL: skipped (server not reachable)', ms: 0 });
    }
    return rows;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await childMain(process.argv[3]!, process.argv[4]!, process.argv[5]);

/**
 * CLI start-up cost, the price a CI job pays on every call: `mlf --help`, a command's help,
 * `mlf runs log` with three params and three metrics on SQLite and `mlf runs list` on it, each
 * against `node -e ''` (bare Node start-up) on the same machine, in the same run. Median of 10
 * spawns each, after one warm-up spawn (which also creates the schema). Issue 15's targets, on the
 * machine it was measured on (`node -e ''` ~100 ms): `--help` <= 150 ms, `runs log` <= 250 ms.
 *
 * @example
 * for (const row of await benchCli()) console.log(row.name, row.ms, row.baselineMs);
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SPAWNS = 10;

/** The package root (holds bin/run.js), from either bench/ or dist/bench/. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'bin', 'run.js'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench/cli: cannot find bin/run.js above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median wall time (ms) of spawning `node args…`; fails loudly if a spawn fails. */
function timeSpawns(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const once = () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`bench/cli: node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
    return ms;
  };
  once(); // warm-up: file-system caches, and the database schema for `runs log`
  return median(Array.from({ length: SPAWNS }, once));
}

export async function benchCli(): Promise<{ name: string; ms: number; baselineMs: number }[]> {
  const root = packageRoot();
  const bin = path.join(root, 'bin', 'run.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: `sqlite:///${path.join(dir, 'mlflow.db')}` };
  delete env.MLFLOW_RUN_ID;
  delete env.MLFLOW_EXPERIMENT_ID;
  delete env.MLFLOW_EXPERIMENT_NAME;
  try {
    const baselineMs = timeSpawns(['-e', ''], dir, env);
    const help = timeSpawns([bin, '--help'], dir, env);
    const commandHelp = timeSpawns([bin, 'runs', 'log', '--help'], dir, env);
    const log = timeSpawns(
      [bin, 'runs', 'log', '-p', 'lr=0.01', '-p', 'layers=3', '-p', 'opt=adam', '-m', 'loss=0.25', '-m', 'acc=0.9', '-m', 'f1=0.8'],
      dir,
      env,
    );
    const list = timeSpawns([bin, 'runs', 'list'], dir, env);
    return [
      { name: 'cli: mlf --help', ms: help, baselineMs },
      { name: 'cli: mlf runs log --help', ms: commandHelp, baselineMs },
      { name: 'cli: mlf runs log (3 params, 3 metrics, SQLite)', ms: log, baselineMs },
      { name: 'cli: mlf runs list (SQLite, 11 runs)', ms: list, baselineMs },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

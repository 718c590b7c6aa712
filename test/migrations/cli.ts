/** Spawning the built CLI (`node bin/run.js`), building it first if dist/ is missing. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function ensureBuilt(): void {
  if (!fs.existsSync(path.join(ROOT, 'dist/src/commands/db/upgrade.js')) || !fs.existsSync(path.join(ROOT, 'dist/cli/main.js')) || !fs.existsSync(path.join(ROOT, 'oclif.manifest.json'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startMlf(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export const runMlf = (args: string[], env: Record<string, string> = {}) => startMlf(args, env).done;

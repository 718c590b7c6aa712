/**
 * Runs the built CLI (`node bin/run.js …`) as a user's shell would: a real process, real stdin,
 * stdout and stderr as pipes (so no colour), exit code. Needs `npm run build` first.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The package the tests drive. MLF_TEST_CLI_ROOT points at another build of it (a copy with its own
 * dist/), so a developer's tests are not broken by a concurrent `npm run build` in the work tree.
 */
export const CLI_ROOT = process.env.MLF_TEST_CLI_ROOT || ROOT;
export const BIN = path.join(CLI_ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed. Without it stdin is closed at once (never a terminal). */
  input?: string;
  /** Added to a clean environment: no MLFLOW_* or colour variables leak in from the caller. */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** The environment the CLI sees: the caller's minus anything that would change its behaviour. */
function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(MLFLOW_|MLF_(?!TEST)|FORCE_COLOR|NO_COLOR|NODE_OPTIONS|VITEST)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(opts.env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the CLI and fails with its output when the exit code is not 0. */
export async function runOk(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const r = await runCli(args, opts);
  if (r.code !== 0) throw new Error(`mlf ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Runs the CLI with --json and parses stdout. */
export async function runJson<T = any>(args: string[], opts: CliOptions = {}): Promise<T> {
  const r = await runOk([...args, '--json'], opts);
  return JSON.parse(r.stdout) as T;
}

/** True when `npm run build` has produced the CLI the tests drive. */
export function cliBuilt(): boolean {
  return fs.existsSync(path.join(CLI_ROOT, 'dist', 'src', 'commands', 'runs', 'log.js')) && fs.existsSync(path.join(CLI_ROOT, 'dist', 'cli', 'main.js'));
}

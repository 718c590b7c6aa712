/**
 * End to end: the built CLI (`node bin/run.js`, needs `npm run build`) logging to and reading from a
 * spawned `mlf server` through `--tracking-uri http://127.0.0.1:<port>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_ROOT, runCli } from '../../cli/run-cli.js';
import { tempDir } from '../../support/databases.js';

let child: ChildProcess;
let url: string;
const dir = tempDir('mlf-rest-e2e-');

beforeAll(async () => {
  if (!fs.existsSync(path.join(CLI_ROOT, 'dist'))) throw new Error(`no build at ${CLI_ROOT}/dist: run npm run build`);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(MLFLOW_|MLF_(?!TEST)|NODE_OPTIONS|VITEST)/.test(k)) env[k] = v;
  child = spawn(
    process.execPath,
    [BIN, 'server', '--backend-store-uri', `sqlite:///${path.join(dir, 'mlflow.db')}`, '--port', '0', '--artifacts-destination', path.join(dir, 'art')],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const t0 = Date.now();
  for (;;) {
    const m = /Listening at: (\S+)/.exec(out);
    if (m) {
      url = m[1]!;
      break;
    }
    if (child.exitCode !== null || Date.now() - t0 > 20_000) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.on('close', r));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mlf runs … --tracking-uri http://', () => {
  it('logs a run through the server and lists and describes it back', async () => {
    const log = await runCli(['runs', 'log', '--tracking-uri', url, '--experiment-name', 'e2e', '--run-name', 'first', '--param', 'lr=0.1', '--metric', 'loss=0.3@1', '--metric', 'loss=0.2@2', '--tag', 'team=cv', '--end'], { cwd: dir });
    expect(log.stderr).toBe('');
    expect(log.code).toBe(0);
    const runId = log.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);

    const list = await runCli(['runs', 'list', '--tracking-uri', url, '--experiment-name', 'e2e', '-c', 'metrics.loss', '-c', 'params.lr', '--csv'], { cwd: dir });
    expect(list.code).toBe(0);
    const [header, row, ...rest] = list.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(header).toMatch(/metrics\.loss.*params\.lr/);
    expect(row).toContain(runId);
    expect(row).toContain('first');
    expect(row).toContain('FINISHED');
    expect(row).toMatch(/,0\.2,0\.1$/);

    const desc = await runCli(['runs', 'describe', runId, '--tracking-uri', url, '--json'], { cwd: dir });
    expect(desc.code).toBe(0);
    const run = JSON.parse(desc.stdout);
    expect(run.info).toMatchObject({ run_id: runId, run_name: 'first', status: 'FINISHED' });
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'cv' }]));
  });

  it("prints the server's error and exits 1 for a missing run", async () => {
    const res = await runCli(['runs', 'describe', '0123456789abcdef0123456789abcdef', '--tracking-uri', url], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('Error: Run with id=0123456789abcdef0123456789abcdef not found');
  });

  it('refuses gc through the server once there is something to purge, pointing at the backend store', async () => {
    const log = await runCli(['runs', 'log', '--tracking-uri', url, '--experiment-name', 'e2e-gc', '--no-source-tags'], { cwd: dir });
    const runId = log.stdout.trim();
    expect((await runCli(['runs', 'delete', runId, '--tracking-uri', url], { cwd: dir })).code).toBe(0);
    const gc = await runCli(['gc', '--backend-store-uri', url, '--run-ids', runId], { cwd: dir });
    expect(gc.code).toBe(1);
    expect(gc.stderr).toMatch(/MLflow's REST API has no hard delete\. Run gc with direct access to the backend store/);
    const still = await runCli(['runs', 'describe', runId, '--tracking-uri', url, '--json'], { cwd: dir });
    expect(JSON.parse(still.stdout).info.lifecycle_stage).toBe('deleted');
  });

  it('fails fast with the URL, and no retries, when MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 and nothing listens', async () => {
    const res = await runCli(['runs', 'list', '--tracking-uri', 'http://127.0.0.1:1', '--experiment-id', '0'], {
      cwd: dir,
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' },
    });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toMatch(/^Error: API request to http:\/\/127\.0\.0\.1:1\/api\/2\.0\/mlflow\/[a-z/-]+ failed with exception connect ECONNREFUSED 127\.0\.0\.1:1$/);
  });
});

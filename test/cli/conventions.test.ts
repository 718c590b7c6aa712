/**
 * What every mlf command promises: help with a real example, exit codes (0 ok, 1 failed operation,
 * 2 bad usage), no prompts, no passwords in messages, colour only where wanted, MLflow's context
 * tags, and one transaction per `runs log` on a SQL server.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, skipUnlessAvailable, type TestDatabase } from '../support/databases.js';
import { cliBuilt, runCli, runJson, runOk } from './run-cli.js';
import { snapshot, tempStore, type TempStore } from './store-helpers.js';

const COMMANDS = [
  'runs log',
  'runs list',
  'runs describe',
  'runs delete',
  'runs restore',
  'experiments create',
  'experiments list',
  'experiments describe',
  'experiments delete',
  'experiments restore',
  'experiments rename',
  'experiments csv',
  'artifacts log-artifact',
  'artifacts log-artifacts',
  'artifacts list',
  'artifacts download',
  'models list',
  'models describe',
  'models create',
  'models rename',
  'models delete',
  'models versions list',
  'models versions create',
  'models versions describe',
  'models versions delete',
  'models versions transition-stage',
  'models alias set',
  'models alias delete',
  'models tags set',
  'models tags delete',
];

beforeAll(() => {
  if (!cliBuilt()) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests');
});

describe('help', () => {
  it('mlf --help lists the runs and experiments topics', async () => {
    const r = await runOk(['--help']);
    expect(r.stdout).toMatch(/runs\s+Log, list and manage runs/);
    expect(r.stdout).toMatch(/experiments\s+Create, list and manage experiments/);
  });

  for (const cmd of COMMANDS) {
    it(`mlf ${cmd} --help shows a description, an example of itself and --tracking-uri`, async () => {
      const r = await runOk([...cmd.split(' '), '--help']);
      expect(r.stdout).toMatch(/DESCRIPTION|^\S/m);
      expect(r.stdout).toContain('EXAMPLES');
      expect(r.stdout).toMatch(new RegExp(`\\$ mlf ${cmd} \\S`));
      expect(r.stdout).toContain('--tracking-uri');
      expect(r.stdout).toContain('--json');
    });
  }
});

describe('exit codes and messages', () => {
  let s: TempStore;
  beforeAll(() => {
    s = tempStore('file');
  });
  afterAll(() => s.remove());

  it('exits 2 on an unknown flag, a missing required flag and a bad option value', async () => {
    for (const args of [['runs', 'list', '--nope'], ['experiments', 'create'], ['runs', 'list', '--view', 'some']]) {
      const r = await runCli(args, { env: { MLFLOW_TRACKING_URI: s.uri } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 when the operation fails (a run that does not exist)', async () => {
    const r = await runCli(['runs', 'describe', 'a'.repeat(32)], { env: { MLFLOW_TRACKING_URI: s.uri } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('gives the error as JSON on stdout with --json', async () => {
    // A read command never creates a store (issue 15): make one first.
    await runOk(['experiments', 'create', '-n', 'json-errors'], { env: { MLFLOW_TRACKING_URI: s.uri } });
    const r = await runCli(['runs', 'describe', 'a'.repeat(32), '--json'], { env: { MLFLOW_TRACKING_URI: s.uri } });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: expect.stringContaining('a'.repeat(32)) } });
  });

  it('never shows the password of a tracking URI', async () => {
    const r = await runCli(['runs', 'list', '--tracking-uri', 'postgresql://me:hunter2secret@127.0.0.1:1/mlflow']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).not.toContain('hunter2secret');
    // No retries: MLflow's client default (5, back-off factor 2) would wait about a minute for port 1.
    const h = await runCli(['experiments', 'list', '--tracking-uri', 'https://me:hunter2secret@127.0.0.1:1'], {
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' },
    });
    expect(h.code).not.toBe(0);
    expect(h.stdout + h.stderr).not.toContain('hunter2secret');
  });

  it('uses --tracking-uri over MLFLOW_TRACKING_URI, and ./mlruns without either', async () => {
    const other = tempStore('file');
    try {
      await runOk(['experiments', 'create', '-n', 'env-store'], { env: { MLFLOW_TRACKING_URI: s.uri } });
      await runOk(['experiments', 'create', '-n', 'flag-wins', '--tracking-uri', other.uri], { env: { MLFLOW_TRACKING_URI: s.uri } });
      expect(fs.existsSync(other.uri)).toBe(true);
      const here = await runJson(['experiments', 'list'], { env: { MLFLOW_TRACKING_URI: s.uri } });
      expect(here.experiments.map((e: { name: string }) => e.name)).not.toContain('flag-wins');
      await runOk(['runs', 'log', '-p', 'a=1'], { cwd: other.dir });
      expect(fs.existsSync(path.join(other.dir, 'mlruns', '0'))).toBe(true);
    } finally {
      other.remove();
    }
  });
});

describe('colour', () => {
  let s: TempStore;
  beforeAll(async () => {
    s = tempStore('file');
    await runOk(['runs', 'log', '-p', 'a=1', '--end', '--status', 'FAILED'], { env: { MLFLOW_TRACKING_URI: s.uri } });
  });
  afterAll(() => s.remove());

  it('colours a table when forced, and never under NO_COLOR', async () => {
    const forced = await runOk(['runs', 'list'], { env: { MLFLOW_TRACKING_URI: s.uri, FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\x1b\[31mFAILED/);
    const none = await runOk(['runs', 'list'], { env: { MLFLOW_TRACKING_URI: s.uri, FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(none.stdout).not.toMatch(/\x1b\[/);
    expect(none.stdout).toMatch(/FAILED/);
  });
});

describe('context tags', () => {
  let s: TempStore;
  let repo: string;
  let commit: string;
  beforeAll(() => {
    s = tempStore('file');
    repo = path.join(s.dir, 'repo');
    fs.mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).toString().trim();
    git('init', '-q');
    fs.writeFileSync(path.join(repo, 'train.sh'), 'echo hi\n');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    commit = git('rev-parse', 'HEAD');
  });
  afterAll(() => s.remove());

  it("sets MLflow's source tags on a new run inside a git checkout", async () => {
    const sub = path.join(repo, 'sub');
    fs.mkdirSync(sub, { recursive: true });
    const run = await runJson(['runs', 'log', '-p', 'a=1'], { env: { MLFLOW_TRACKING_URI: s.uri, USER: 'ci-bot', LOGNAME: 'ci-bot' }, cwd: sub });
    const tags = Object.fromEntries(run.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]));
    expect(tags).toMatchObject({
      'mlflow.source.git.commit': commit,
      'mlflow.source.name': fs.realpathSync(repo),
      'mlflow.source.type': 'LOCAL',
      'mlflow.user': 'ci-bot',
    });
    expect(run.info.user_id).toBe('ci-bot');
  });

  it('sets none of them with --no-source-tags, and lets a --tag override one', async () => {
    const bare = await runJson(['runs', 'log', '--no-source-tags', '-p', 'a=1'], { env: { MLFLOW_TRACKING_URI: s.uri }, cwd: repo });
    expect(bare.data.tags.map((t: { key: string }) => t.key)).toEqual(['mlflow.runName']);
    const over = await runJson(['runs', 'log', '-t', 'mlflow.source.name=pipeline.yml'], { env: { MLFLOW_TRACKING_URI: s.uri }, cwd: repo });
    expect(over.data.tags).toContainEqual({ key: 'mlflow.source.name', value: 'pipeline.yml' });
  });

  it('leaves out the git commit outside a checkout', async () => {
    const run = await runJson(['runs', 'log', '-p', 'a=1'], { env: { MLFLOW_TRACKING_URI: s.uri, GIT_CEILING_DIRECTORIES: s.dir }, cwd: s.dir });
    expect(run.data.tags.map((t: { key: string }) => t.key)).not.toContain('mlflow.source.git.commit');
  });
});

describe.skipIf(await skipUnlessAvailable('postgresql'))('runs log on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
  });
  afterAll(async () => db?.drop());

  it('logs and lists a run', async () => {
    const runId = (await runOk(['runs', 'log', '--tracking-uri', db.uri, '--experiment-name', 'pg', '-p', 'lr=0.1', '-m', 'loss=0.5@3', '--end'])).stdout.trim();
    const list = await runJson(['runs', 'list', '--tracking-uri', db.uri, '-n', 'pg']);
    expect(list.runs).toHaveLength(1);
    expect(list.runs[0].info).toMatchObject({ run_id: runId, status: 'FINISHED' });
    expect(list.runs[0].data.metrics).toEqual([{ key: 'loss', value: 0.5, step: 3, timestamp: expect.any(Number) }]);
  });

  it('lands one invocation whole or not at all: a failing write rolls back the new experiment and run', async () => {
    const before = await snapshot(db.uri);
    // runs.name is VARCHAR(250): PostgreSQL refuses the name only when the run row is written,
    // after the experiment was created in the same invocation.
    const r = await runCli(['runs', 'log', '--tracking-uri', db.uri, '--experiment-name', 'never-created', '--run-name', 'n'.repeat(300), '-p', 'a=1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await snapshot(db.uri)).toEqual(before);
  });
});

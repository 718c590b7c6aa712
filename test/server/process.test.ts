/**
 * `mlf server` as a real process (`node bin/run.js server …`, needs `npm run build`; set
 * MLF_TEST_CLI_ROOT to test another build): flags and MLFLOW_* environment variables, the log
 * level, start-up errors with their exit codes, SIGTERM, and `--workers` sharing one port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, CLI_ROOT } from '../cli/run-cli.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, tempDir } from '../support/databases.js';

interface ServerProc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The caller's environment minus anything that changes the CLI's behaviour, plus `env`. */
function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(MLFLOW_|MLF_(?!TEST)|FORCE_COLOR|NO_COLOR|NODE_OPTIONS|VITEST)/.test(k)) out[k] = v;
  }
  return { ...out, ...env };
}

function spawnServer(args: string[], env: Record<string, string> = {}, cwd = tempDir('mlf-proc-cwd-')): ServerProc {
  if (!fs.existsSync(path.join(CLI_ROOT, 'dist'))) throw new Error(`no build at ${CLI_ROOT}/dist: run npm run build`);
  const child = spawn(process.execPath, [BIN, 'server', ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, out: () => out, err: () => err, exited };
}

/** Waits until `count` "Listening at:" lines were printed; returns their URLs and pids. */
async function listening(p: ServerProc, count = 1, timeoutMs = 20_000): Promise<{ url: string; pids: number[] }> {
  const t0 = Date.now();
  for (;;) {
    const hits = [...p.out().matchAll(/Listening at: (\S+) \((\d+)\)/g)];
    if (hits.length >= count) return { url: hits[0]![1]!, pids: hits.map((h) => Number(h[2])) };
    if (p.child.exitCode !== null) throw new Error(`server exited ${p.child.exitCode}: ${p.err()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`server did not listen: ${p.out()} ${p.err()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** One request on a fresh connection (no keep-alive), so a cluster can hand each to any worker. */
function request(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const u = new URL(`${url}/api/2.0/mlflow/${route}`);
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      u,
      { method, agent: false, headers: text ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } : {} },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode!, json: data ? JSON.parse(data) : null }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** pids that wrote a request log line (`[time] [pid] [INFO] METHOD /path STATUS`). */
const requestLogPids = (stderr: string) => new Set([...stderr.matchAll(/\] \[(\d+)\] \[INFO\] (?:GET|POST) \/\S+ \d{3} /g)].map((m) => Number(m[1])));

describe('mlf server --workers', () => {
  it('serves one port from several worker processes, and SIGTERM stops them all with exit code 0', async () => {
    const dir = tempDir('mlf-workers-');
    const p = spawnServer(['--backend-store-uri', `sqlite:///${path.join(dir, 'x.db')}`, '--port', '0', '--workers', '2', '--artifacts-destination', path.join(dir, 'a')]);
    const { url, pids } = await listening(p, 2);
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(p.child.pid);
    expect(p.out()).toContain(`Started 2 workers (primary pid ${p.child.pid})`);
    // Every "Listening at" line names the same port: the workers share it.
    expect(new Set([...p.out().matchAll(/Listening at: (\S+)/g)].map((m) => m[1])).size).toBe(1);

    const { json: created } = await request(url, 'POST', 'experiments/create', { name: 'workers' });
    const experimentId = created.experiment_id as string;
    // Many connections at once, writes and reads, all through the shared port.
    const runIds = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const r = await request(url, 'POST', 'runs/create', { experiment_id: experimentId, start_time: i });
        expect(r.status).toBe(200);
        return r.json.run.info.run_id as string;
      }),
    );
    for (const id of runIds) expect((await request(url, 'GET', `runs/get?run_id=${id}`)).status).toBe(200);
    const search = await request(url, 'POST', 'runs/search', { experiment_ids: [experimentId], max_results: 100 });
    expect(search.json.runs).toHaveLength(24);

    await expect.poll(() => requestLogPids(p.err()).size).toBe(2);
    expect([...requestLogPids(p.err())].sort()).toEqual([...pids].sort());

    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('stops with exit code 1, instead of re-forking, when the workers cannot listen (port taken)', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = tempDir('mlf-workers-');
    const p = spawnServer(['--backend-store-uri', path.join(dir, 'mlruns'), '--port', String(port), '--workers', '2']);
    const { code } = await p.exited;
    blocker.close();
    expect(code).toBe(1);
    expect(p.err()).toContain(`Cannot listen on 127.0.0.1:${port}`);
    expect(p.err()).toMatch(/exited \(1\) before listening; stopping/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});

describe('mlf server flags and MLFLOW_* environment variables', () => {
  it('reads MLFLOW_BACKEND_STORE_URI, MLFLOW_PORT and MLFLOW_HOST', async () => {
    const dir = tempDir('mlf-env-');
    const db = path.join(dir, 'env.db');
    const port = await freePort();
    const p = spawnServer([], { MLFLOW_BACKEND_STORE_URI: `sqlite:///${db}`, MLFLOW_PORT: String(port), MLFLOW_HOST: '0.0.0.0' }, dir);
    const { url } = await listening(p);
    expect(url).toBe(`http://0.0.0.0:${port}`);
    const r = await request(`http://127.0.0.1:${port}`, 'POST', 'experiments/create', { name: 'from-env' });
    expect(r.status).toBe(200);
    // The write went to the database named by the variable, not to ./mlruns.
    expect(fs.existsSync(db)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'mlruns'))).toBe(false);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('lets flags win over the environment variables', async () => {
    const dir = tempDir('mlf-env-');
    const port = await freePort();
    const p = spawnServer(['--port', String(port), '--backend-store-uri', path.join(dir, 'flag-store')], {
      MLFLOW_PORT: '1',
      MLFLOW_BACKEND_STORE_URI: path.join(dir, 'env-store'),
    }, dir);
    const { url } = await listening(p);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect((await request(url, 'POST', 'experiments/create', { name: 'x' })).status).toBe(200);
    expect(fs.existsSync(path.join(dir, 'flag-store'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'env-store'))).toBe(false);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('defaults to ./mlruns in the working directory', async () => {
    const dir = tempDir('mlf-env-');
    const p = spawnServer(['--port', '0'], {}, dir);
    const { url } = await listening(p);
    expect((await request(url, 'POST', 'experiments/create', { name: 'x' })).status).toBe(200);
    expect(fs.existsSync(path.join(dir, 'mlruns'))).toBe(true);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const logCases: [string, string[], Record<string, string>, boolean][] = [
    ['the default (info)', [], {}, true],
    ['--log-level WARN', ['--log-level', 'WARN'], {}, false],
    ['--log-level warning', ['--log-level', 'warning'], {}, false],
    ['--log-level DEBUG', ['--log-level', 'DEBUG'], {}, true],
    ['MLFLOW_LOGGING_LEVEL=WARNING', [], { MLFLOW_LOGGING_LEVEL: 'WARNING' }, false],
    ['--log-level info over MLFLOW_LOGGING_LEVEL=error', ['--log-level', 'info'], { MLFLOW_LOGGING_LEVEL: 'error' }, true],
  ];
  for (const [name, args, env, logs] of logCases) {
    it(`${logs ? 'logs' : 'does not log'} a line per request with ${name}`, async () => {
      const dir = tempDir('mlf-log-');
      const p = spawnServer(['--backend-store-uri', path.join(dir, 'mlruns'), '--port', '0', ...args], env, dir);
      const { url } = await listening(p);
      expect((await request(url, 'GET', 'experiments/get?experiment_id=0')).status).toBe(200);
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
      const line = /\[\d+\] \[INFO\] GET \/api\/2\.0\/mlflow\/experiments\/get 200 [\d.]+ms/;
      if (logs) expect(p.err()).toMatch(line);
      else expect(p.err()).not.toMatch(/\[INFO\]/);
      fs.rmSync(dir, { recursive: true, force: true });
    }, 30_000);
  }

  it('refuses an unknown --log-level with exit code 2', async () => {
    const p = spawnServer(['--log-level', 'loud', '--port', '0']);
    const { code } = await p.exited;
    expect(code).toBe(2);
    expect(p.err()).toMatch(/loud/);
  }, 30_000);
});

const pgUnavailable = await skipUnlessAvailable('postgresql');

describe('mlf server start-up errors', () => {
  it('refuses --no-serve-artifacts (or MLFLOW_SERVE_ARTIFACTS=false) on a database store without --default-artifact-root: MLflow UsageError text, exit 2', async () => {
    const dir = tempDir('mlf-usage-');
    const uri = `sqlite:///${path.join(dir, 'x.db')}`;
    for (const [args, env] of [
      [['--backend-store-uri', uri, '--no-serve-artifacts'], {}],
      [['--backend-store-uri', uri], { MLFLOW_SERVE_ARTIFACTS: 'false' }],
    ] as [string[], Record<string, string>][]) {
      const p = spawnServer([...args, '--port', '0'], env);
      const { code } = await p.exited;
      expect(code).toBe(2);
      expect(p.err().trim()).toBe(
        "Error: Option 'default-artifact-root' is required when backend store is not local file based and artifact serving is disabled.",
      );
      // Nothing was created: the check comes before the store is opened.
      expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('starts with --no-serve-artifacts on a file store (its folder is the artifact root)', async () => {
    const dir = tempDir('mlf-usage-');
    const p = spawnServer(['--backend-store-uri', path.join(dir, 'mlruns'), '--no-serve-artifacts', '--port', '0']);
    const { url } = await listening(p);
    const r = await request(url, 'POST', 'experiments/create', { name: 'local' });
    const e = await request(url, 'GET', `experiments/get?experiment_id=${r.json.experiment_id}`);
    expect(e.json.experiment.artifact_location).toMatch(/^file:\/\/.*mlruns\/\d+$/);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('stops on an out-of-date SQLite schema with MLflow message naming mlf db upgrade, exit 1, database left byte for byte', async () => {
    const db = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const schema = async () => {
      const Database = (await import('better-sqlite3')).default;
      const conn = new Database(db, { readonly: true });
      try {
        return {
          tables: conn.prepare('select type, name, sql from sqlite_master order by type, name').all(),
          revision: conn.prepare('select version_num from alembic_version').all(),
        };
      } finally {
        conn.close();
      }
    };
    const before = await schema();
    const bytes = fs.readFileSync(db);
    const p = spawnServer(['--backend-store-uri', `sqlite:///${db}`, '--port', '0']);
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.err()).toMatch(
      new RegExp(`Error: Detected out-of-date database schema \\(found version 7f2a7d5fae7d, but expected [0-9a-f]+\\)\\. Take a backup of your database, then run 'mlf db upgrade sqlite:///${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`),
    );
    expect(p.out()).not.toContain('Listening at');
    expect(await schema()).toEqual(before);
    expect(fs.readFileSync(db).equals(bytes)).toBe(true);
  }, 30_000);

  describe.skipIf(pgUnavailable)('on PostgreSQL', () => {
    it('masks the password in the out-of-date schema message, exit 1, with --workers too', async () => {
      const tdb = await createTestDatabase('postgresql');
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: tdb.uri });
      await c.connect();
      await c.query('create table alembic_version (version_num varchar(32) not null primary key)');
      await c.query("insert into alembic_version values ('7f2a7d5fae7d')");
      await c.end();
      // The server trusts local connections, so any password gets in: the URI carries one to mask.
      const u = new URL(tdb.uri);
      u.username = 'postgres';
      u.password = 'hunter2';
      try {
        for (const extra of [[], ['--workers', '2']]) {
          const p = spawnServer(['--backend-store-uri', u.toString(), '--port', '0', ...extra]);
          const { code } = await p.exited;
          expect(code).toBe(1);
          expect(p.err()).toContain('Detected out-of-date database schema (found version 7f2a7d5fae7d');
          expect(p.err()).toContain(`mlf db upgrade postgresql://postgres:***@127.0.0.1:5432${u.pathname}'`);
          expect(p.err() + p.out()).not.toContain('hunter2');
          expect(p.out()).not.toContain('Started');
        }
      } finally {
        await tdb.drop();
      }
    }, 60_000);
  });
});

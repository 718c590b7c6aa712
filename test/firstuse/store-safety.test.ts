// What a newcomer's mistakes do to their data, through the built CLI: a SQLite URL one slash short,
// an in-memory database in a one-shot command, a read that would change or create a store.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli, runOk } from '../cli/run-cli.js';
import { createTestDatabase, skipUnlessAvailable, tempDir } from '../support/databases.js';

const dir = tempDir('mlf-firstuse-store-');
const NO_TAGS = '--no-source-tags';
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
/** Bytes 18-19 of a SQLite header: 1 for a rollback journal, 2 for WAL. */
const walMode = (f: string) => fs.readFileSync(f).subarray(18, 20).equals(Buffer.from([2, 2]));

describe('SQLite URLs a one-shot command refuses', () => {
  it('sqlite://relative.db (one slash short) is refused naming the valid forms, not logged into memory', async () => {
    const r = await runCli(['runs', 'log', '--tracking-uri', 'sqlite://relative.db', '-p', 'a=1', NO_TAGS], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      'Error: Invalid SQLite URL: sqlite://relative.db. Valid SQLite URL forms are: sqlite:///:memory: (or, sqlite://), sqlite:///relative/path/to/file.db, sqlite:////absolute/path/to/file.db',
    );
  });

  it.each([
    [['runs', 'log', '--tracking-uri', 'sqlite://', '-p', 'a=1', NO_TAGS]],
    [['experiments', 'create', '-n', 'x', '--tracking-uri', 'sqlite://']],
    [['db', 'upgrade', 'sqlite://']],
    [['gc', '--backend-store-uri', 'sqlite://']],
  ])('mlf %j refuses an in-memory database (exit 2)', async (args) => {
    const r = await runCli(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: 'sqlite:\/\/' is an in-memory SQLite database, gone when this command exits; only 'mlf server' can use one/);
  });
});

describe('reading changes nothing', () => {
  it('a database mlf creates is WAL; reading and writing leave an existing rollback-journal database as it is', async () => {
    const created = path.join(dir, 'created.db');
    await runOk(['runs', 'log', '--tracking-uri', `sqlite:///${created}`, '-p', 'a=1', NO_TAGS]);
    expect(walMode(created)).toBe(true);

    const file = path.join(dir, 'delete-mode.db');
    const uri = `sqlite:///${file}`;
    await runOk(['runs', 'log', '--tracking-uri', uri, '-p', 'a=1', NO_TAGS], { env: { MLF_SQLITE_JOURNAL_MODE: 'delete' } });
    expect(walMode(file)).toBe(false);
    const before = sha(file);
    for (const args of [['runs', 'list'], ['experiments', 'list'], ['experiments', 'describe', '0'], ['db', 'current', uri]]) {
      const r = await runOk(args[0] === 'db' ? args : [...args, '--tracking-uri', uri]);
      expect(r.stderr).toBe('');
    }
    expect(sha(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    // A write keeps the user's journal mode too.
    await runOk(['runs', 'log', '--tracking-uri', uri, '-p', 'b=2', NO_TAGS]);
    expect(walMode(file)).toBe(false);
  });

  it('a read-only database file can be listed', async () => {
    const sub = path.join(dir, 'ro');
    fs.mkdirSync(sub, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const file = path.join(sub, 'mlflow.db');
    const runId = (await runOk(['runs', 'log', '--tracking-uri', `sqlite:///${file}`, '-p', 'a=1', NO_TAGS], { env: { MLF_SQLITE_JOURNAL_MODE: 'delete' } })).stdout.trim();
    fs.chmodSync(file, 0o444);
    // As root the mode bits do not stop a write: run the reader as nobody, who may only read.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534, env: { PATH: process.env.PATH, HOME: sub } } : { env: { PATH: process.env.PATH, HOME: sub } };
    const r = spawnSync(process.execPath, [BIN, 'runs', 'list', '--tracking-uri', `sqlite:///${file}`], { encoding: 'utf8', cwd: sub, ...asNobody });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(runId);
  });
});

describe('a read command pointed at the wrong place creates nothing', () => {
  it.each([
    ['runs list on a typo\'d folder', ['runs', 'list', '--tracking-uri', 'typo-folder'], 'typo-folder'],
    ['experiments list on a typo\'d .db path', ['experiments', 'list', '--tracking-uri', 'sqlite:///typo.db'], 'typo.db'],
    ['runs describe on a typo\'d .db path', ['runs', 'describe', 'abc', '--tracking-uri', 'sqlite:///typo2.db'], 'typo2.db'],
    ['db current on a typo\'d .db path', ['db', 'current', 'sqlite:///typo3.db'], 'typo3.db'],
  ])('%s: "No MLflow store at ...", exit 1', async (_what, args, made) => {
    const cwd = tempDir('mlf-firstuse-typo-');
    const r = await runCli(args, { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: No MLflow store at \S+: nothing was read and nothing was created there\.\n$/);
    expect(fs.existsSync(path.join(cwd, made))).toBe(false);
  });

  it('an empty folder is no store either', async () => {
    const empty = tempDir('mlf-firstuse-empty-');
    const r = await runCli(['runs', 'list', '--tracking-uri', empty]);
    expect(r.code).toBe(1);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  it('an empty PostgreSQL database gets no tables from runs list or db current', async () => {
    if (await skipUnlessAvailable('postgresql')) return;
    const db = await createTestDatabase('postgresql');
    try {
      for (const args of [['runs', 'list', '--tracking-uri', db.uri], ['db', 'current', db.uri]]) {
        const r = await runCli(args);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^Error: No MLflow store at postgresql:/);
      }
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: db.uri });
      await c.connect();
      const t = await c.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
      await c.end();
      expect(t.rows[0].n).toBe(0);
    } finally {
      await db.drop();
    }
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * No password ever reaches the user: spawned CLI calls with a password in the URI, for every way
 * a database call can go wrong or be logged, and the password is searched for in stdout and stderr.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSql } from '../../../src/stores/sql/connect.js';
import { poolOptionsFromEnv } from '../../../src/stores/sql/pool-options.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { MlfError } from '../../../src/lib/errors.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase } from '../../support/databases.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PASSWORD = 'Pw_s3cret!x'; // distinctive, and needs percent-encoding
const ENCODED = encodeURIComponent(PASSWORD);

interface Out {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in a fresh working directory, with one connection attempt unless told otherwise. */
function run(args: string[], env: Record<string, string> = {}): Promise<Out> {
  return new Promise((resolve) => {
    const child = spawn('node', [`${ROOT}bin/run.js`, ...args], {
      cwd: tempDir(),
      env: { ...process.env, NO_COLOR: '1', MLF_CONNECT_RETRIES: '1', MLFLOW_TRACKING_URI: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function expectNoSecret(o: Out): void {
  for (const s of [PASSWORD, ENCODED, 's3cret']) {
    expect(o.stdout).not.toContain(s);
    expect(o.stderr).not.toContain(s);
  }
}

function expectOneLineError(o: Out): void {
  expect(o.status).not.toBe(0);
  expect(o.stderr.trim().split('\n')).toHaveLength(1);
}

describe.skipIf(await skipUnlessAvailable('postgresql'))('PostgreSQL: no password in any output', () => {
  let db: TestDatabase;
  let uri: string; // trust auth: any password is accepted
  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    const u = new URL(db.uri);
    uri = `postgresql://postgres:${ENCODED}@${u.host}${u.pathname}`;
  });
  afterAll(async () => db?.drop());

  it('ECHO logs every statement to stderr, never the password', async () => {
    // Read commands never initialise a database (issue 15): a write does, once.
    expect((await run(['experiments', 'create', '-n', 'echo', '--tracking-uri', uri])).status).toBe(0);
    const o = await run(['runs', 'list', '--tracking-uri', uri], { MLFLOW_SQLALCHEMYSTORE_ECHO: 'true' });
    expect(o.status).toBe(0);
    expect(o.stderr).toMatch(/^\[sql\] select .*\(\d+\.\d ms\)$/m);
    expect(o.stderr).toMatch(/from "runs"/);
    expectNoSecret(o);
  });

  it('without ECHO nothing is logged', async () => {
    await run(['experiments', 'create', '-n', 'quiet', '--tracking-uri', uri]);
    const o = await run(['runs', 'list', '--tracking-uri', uri]);
    expect(o.status).toBe(0);
    expect(o.stderr).not.toContain('[sql]');
  });

  it('a bad host: one line, password masked', async () => {
    const o = await run(['runs', 'list', '--tracking-uri', `postgresql://postgres:${ENCODED}@no-such-host.invalid:5432/x`]);
    expectOneLineError(o);
    expect(o.stderr).toContain('postgresql://postgres:***@no-such-host.invalid:5432/x');
    expectNoSecret(o);
  });

  it('a closed port: one line, password masked', async () => {
    const o = await run(['experiments', 'list', '--tracking-uri', `postgresql://postgres:${ENCODED}@127.0.0.1:1/x`]);
    expectOneLineError(o);
    expect(o.stderr).toContain('ECONNREFUSED');
    expectNoSecret(o);
  });

  it('a database that does not exist: one line, password masked', async () => {
    const o = await run(['runs', 'list', '--tracking-uri', `postgresql://postgres:${ENCODED}@127.0.0.1:5432/mlf_no_such_db_x`]);
    expectOneLineError(o);
    expect(o.stderr).toContain('mlf_no_such_db_x');
    expectNoSecret(o);
  });

  it('--json error output has no password', async () => {
    const o = await run(['runs', 'list', '--json', '--tracking-uri', `postgresql://postgres:${ENCODED}@127.0.0.1:5432/mlf_no_such_db_x`]);
    expect(o.status).not.toBe(0);
    expect(o.stdout + o.stderr).toMatch(/mlf_no_such_db_x/);
    expectNoSecret(o);
  });

  it('mlf db current prints the URI masked', async () => {
    const o = await run(['db', 'current', uri]);
    expectNoSecret(o);
    const j = await run(['db', 'current', '--json', uri]);
    expectNoSecret(j);
  });

  it('mlf gc --dry-run --json has no password, with ECHO on', async () => {
    const o = await run(['gc', '--dry-run', '--json', '--backend-store-uri', uri], { MLFLOW_SQLALCHEMYSTORE_ECHO: '1' });
    expect(o.status).toBe(0);
    expect(() => JSON.parse(o.stdout)).not.toThrow();
    expect(o.stderr).toContain('[sql]');
    expectNoSecret(o);
  });

  it('a password given as a query option is masked too', async () => {
    const o = await run(['runs', 'list', '--tracking-uri', `postgresql://127.0.0.1:1/x?user=postgres&password=${ENCODED}`]);
    expectOneLineError(o);
    expectNoSecret(o);
  });
});

describe.skipIf(await skipUnlessAvailable('mysql'))('MariaDB: a user with a password', () => {
  let db: TestDatabase;
  let name: string;
  const user = `mlf_pw_${process.pid}`;
  let admin: import('mysql2/promise').Connection;
  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    name = new URL(db.uri).pathname.slice(1);
    const mysql = await import('mysql2/promise');
    admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    await admin.query(`drop user if exists '${user}'@'%', '${user}'@'localhost'`);
    for (const host of ['%', 'localhost']) {
      await admin.query(`create user '${user}'@'${host}' identified by ?`, [PASSWORD]);
      await admin.query(`grant all on \`${name}\`.* to '${user}'@'${host}'`);
    }
  });
  afterAll(async () => {
    await admin?.query(`drop user if exists '${user}'@'%', '${user}'@'localhost'`);
    await admin?.end();
    await db?.drop();
  });

  const good = () => `mysql+pymysql://${user}:${ENCODED}@127.0.0.1:3306/${name}`;

  it('the right percent-encoded password connects, and ECHO does not show it', async () => {
    expect((await run(['experiments', 'create', '-n', 'pw', '--tracking-uri', good()])).status).toBe(0);
    const o = await run(['experiments', 'list', '--tracking-uri', good()], { MLFLOW_SQLALCHEMYSTORE_ECHO: 'true' });
    expect(o.status).toBe(0);
    expect(o.stdout).toContain('Default');
    expect(o.stderr).toContain('[sql]');
    expectNoSecret(o);
  });

  it('a wrong password fails at once (no retry), one line, masked', async () => {
    const uri = `mysql://${user}:wrong_${ENCODED}@127.0.0.1:3306/${name}`;
    const started = Date.now();
    const err = await connectSql(parseDbUri(uri), poolOptionsFromEnv({})).then(
      () => undefined,
      (e: unknown) => e as MlfError,
    );
    // With MLF_CONNECT_RETRIES at its default (6), a retried error would take 5.7 s of back-off;
    // the bound leaves room for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(MlfError);
    expect(err!.message).toContain('Access denied');
    expect(err!.message).not.toContain(PASSWORD);
    expect(err!.message).not.toContain(ENCODED);
    const o = await run(['runs', 'list', '--json', '--tracking-uri', uri], { MLF_CONNECT_RETRIES: '6' });
    expect(o.status).not.toBe(0);
    expectNoSecret(o);
    const t = await run(['runs', 'list', '--tracking-uri', uri]);
    expectOneLineError(t);
    expectNoSecret(t);
  });

  it('a bad database name: one line, masked', async () => {
    const o = await run(['runs', 'list', '--tracking-uri', `mysql://${user}:${ENCODED}@127.0.0.1:3306/mlf_no_such_db_y`]);
    expectOneLineError(o);
    expectNoSecret(o);
  });

  it('mlf db current and gc --dry-run --json show no password', async () => {
    expectNoSecret(await run(['db', 'current', '--json', good()]));
    const g = await run(['gc', '--dry-run', '--json', '--backend-store-uri', good()], { MLFLOW_SQLALCHEMYSTORE_ECHO: 'true' });
    expect(g.status).toBe(0);
    expectNoSecret(g);
  });
});

/**
 * Database URIs as MLflow (SQLAlchemy) writes them: parsing table, then the forms that need a live
 * server (unix sockets, sslmode against a server without TLS) and SQLite's path forms.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskUri, parseDbUri, parseStoreUri, type SqlStoreUri } from '../../../src/tracking/uri.js';
import { connectSql } from '../../../src/stores/sql/connect.js';
import { poolOptionsFromEnv } from '../../../src/stores/sql/pool-options.js';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { MlfError } from '../../../src/lib/errors.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase } from '../../support/databases.js';

const DRIVERS: [string, string][] = [
  ['postgresql', 'psycopg2'],
  ['postgresql', 'pg8000'],
  ['mysql', 'pymysql'],
  ['mysql', 'mysqldb'],
  ['mysql', 'mysqlconnector'],
  ['mssql', 'pyodbc'],
  ['mssql', 'pymssql'],
];

describe('parseDbUri', () => {
  for (const [dialect, driver] of DRIVERS) {
    it(`accepts the ${dialect}+${driver} suffix and keeps the dialect`, () => {
      const u = parseStoreUri(`${dialect}+${driver}://me:pw@db.example:1234/mlflow`) as SqlStoreUri;
      expect(u).toMatchObject({ kind: 'sql', dialect, driver, user: 'me', password: 'pw', host: 'db.example', port: 1234, database: 'mlflow' });
    });
  }

  it('decodes percent-encoded @, :, / and % in user names and passwords', () => {
    const u = parseDbUri('postgresql://us%40er%3Ax:p%40ss%3Aw%2Frd%25@h/db');
    expect(u.user).toBe('us@er:x');
    expect(u.password).toBe('p@ss:w/rd%');
    expect(u.host).toBe('h');
    expect(u.database).toBe('db');
  });

  it('keeps + in a password literal (SQLAlchemy unquotes without plus-to-space)', () => {
    expect(parseDbUri('mysql://u:a+b@h/db').password).toBe('a+b');
  });

  it('reads an IPv6 host in brackets, with and without a port', () => {
    expect(parseDbUri('postgresql://u@[::1]:5433/db')).toMatchObject({ host: '::1', port: 5433, database: 'db' });
    expect(parseDbUri('postgresql://u@[fe80::1]/db')).toMatchObject({ host: 'fe80::1', port: undefined });
  });

  it('leaves port, user and password undefined when absent', () => {
    expect(parseDbUri('mysql://db.example/mlflow')).toMatchObject({ host: 'db.example', port: undefined, user: undefined, password: undefined });
    expect(parseDbUri('mysql://root@db.example/mlflow')).toMatchObject({ user: 'root', password: undefined });
  });

  it('reads an empty password as empty, not missing', () => {
    expect(parseDbUri('mysql://root:@h/db').password).toBe('');
  });

  it('parses query options, plus as space as SQLAlchemy does', () => {
    const u = parseDbUri('mssql+pyodbc://u:p@h:1433/db?driver=ODBC+Driver+18+for+SQL+Server&Encrypt=yes');
    expect(u.options).toEqual({ driver: 'ODBC Driver 18 for SQL Server', Encrypt: 'yes' });
    expect(parseDbUri('postgresql://u@/db?host=/var/run/postgresql&sslmode=require').options).toEqual({
      host: '/var/run/postgresql',
      sslmode: 'require',
    });
    expect(parseDbUri('mysql+pymysql://u@localhost/db?charset=utf8mb4&unix_socket=/run/mysqld/mysqld.sock').options).toEqual({
      charset: 'utf8mb4',
      unix_socket: '/run/mysqld/mysqld.sock',
    });
  });

  it('lower-cases the scheme but not the rest', () => {
    expect(parseDbUri('PostgreSQL+Psycopg2://U:P@H/DB')).toMatchObject({ dialect: 'postgresql', driver: 'psycopg2', user: 'U', password: 'P', host: 'H', database: 'DB' });
  });

  it("rejects an unknown dialect with MLflow's message", () => {
    for (const uri of ['oracle+cx_oracle://u:secret@h/db', 'oracle+oracledb://u:secret@h/db', 'db2+ibm://h/db']) {
      const dialect = uri.slice(0, uri.indexOf('+'));
      expect(() => parseStoreUri(uri)).toThrow(
        `Invalid database engine: '${dialect}'. 'Supported database engines are {postgresql, mysql, sqlite, mssql}'`,
      );
    }
  });

  it("rejects two + in the scheme with MLflow's message, password masked", () => {
    let err: MlfError | undefined;
    try {
      parseStoreUri('postgresql+psycopg2+x://u:secret@h/db');
    } catch (e) {
      err = e as MlfError;
    }
    expect(err).toBeInstanceOf(MlfError);
    expect(err!.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(err!.message).toBe(
      "Invalid database URI: 'postgresql+psycopg2+x://u:***@h/db'. Please refer to https://mlflow.org/docs/latest/tracking.html#storage for format specifications.",
    );
  });
});

describe('sqlite URI forms', () => {
  it('sqlite:///rel.db is relative to the working directory', () => {
    expect(parseDbUri('sqlite:///rel.db', '/srv/x').sqlitePath).toBe('/srv/x/rel.db');
    expect(parseDbUri('sqlite:///sub/dir/rel.db', '/srv/x').sqlitePath).toBe('/srv/x/sub/dir/rel.db');
  });
  it('sqlite:////abs.db is absolute', () => {
    expect(parseDbUri('sqlite:////var/lib/abs.db', '/srv/x').sqlitePath).toBe('/var/lib/abs.db');
  });
  it('sqlite:// and sqlite:///:memory: are in memory', () => {
    expect(parseDbUri('sqlite://').sqlitePath).toBe(':memory:');
    expect(parseDbUri('sqlite:///:memory:').sqlitePath).toBe(':memory:');
  });
  it('sqlite+pysqlite is accepted', () => {
    expect(parseDbUri('sqlite+pysqlite:///a.db', '/w')).toMatchObject({ dialect: 'sqlite', driver: 'pysqlite', sqlitePath: '/w/a.db' });
  });

  it('opens an in-memory store through openTrackingStore and uses it', async () => {
    const store = await openTrackingStore('sqlite://', { cwd: tempDir() });
    try {
      const id = await store.createExperiment({ name: 'in-memory' });
      const run = await store.createRun({ experimentId: id, startTime: 1 });
      await store.logParam(run.info.runId, { key: 'p', value: 'v' });
      expect((await store.getExperimentByName('in-memory'))?.experimentId).toBe(id);
      expect((await store.getRun(run.info.runId)).data.params).toEqual([{ key: 'p', value: 'v' }]);
      expect((await store.getExperiment('0')).name).toBe('Default');
    } finally {
      await store.close();
    }
  });

  it('creates sqlite:///rel.db relative to cwd and sqlite:////abs.db at the absolute path', async () => {
    const cwd = tempDir();
    const rel = await openTrackingStore('sqlite:///rel.db', { cwd });
    await rel.close();
    expect(fs.existsSync(path.join(cwd, 'rel.db'))).toBe(true);
    const abs = path.join(tempDir(), 'abs.db');
    const a = await openTrackingStore(`sqlite:///${abs}`, { cwd });
    await a.close();
    expect(fs.existsSync(abs)).toBe(true);
  });
});

describe('maskUri', () => {
  it('masks the password of every dialect and driver form', () => {
    for (const [dialect, driver] of DRIVERS) {
      expect(maskUri(`${dialect}+${driver}://me:p%40ss@h/db`)).toBe(`${dialect}+${driver}://me:***@h/db`);
    }
    expect(maskUri('mysql://root:hunter2@localhost/mlflow')).toBe('mysql://root:***@localhost/mlflow');
  });
  it('masks password options', () => {
    expect(maskUri('postgresql://h/db?user=u&password=s3cret&sslmode=require')).toBe('postgresql://h/db?user=u&password=***&sslmode=require');
    expect(maskUri('mssql://h/db?PWD=s3cret')).toBe('mssql://h/db?PWD=***');
  });
  it('masks a URI embedded in a longer message', () => {
    expect(maskUri("can't reach postgresql://u:s3cret@h:5432/db today")).toBe("can't reach postgresql://u:***@h:5432/db today");
  });
});

const PG_SOCKET_DIR = '/var/run/postgresql';

describe.skipIf(await skipUnlessAvailable('postgresql'))('PostgreSQL URI options (live)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
  });
  afterAll(async () => db?.drop());
  const dbName = () => new URL(db.uri).pathname.slice(1);

  it.skipIf(!fs.existsSync(path.join(PG_SOCKET_DIR, '.s.PGSQL.5432')))('connects through a unix socket given as ?host=', async () => {
    const conn = await connectSql(parseDbUri(`postgresql+psycopg2://postgres@/${dbName()}?host=${PG_SOCKET_DIR}`), poolOptionsFromEnv({}));
    try {
      const { sql } = await import('kysely');
      // A socket connection has no client address.
      const r = await sql<{ addr: string | null }>`select inet_client_addr()::text as addr`.execute(conn.db);
      expect(r.rows[0]!.addr).toBeNull();
    } finally {
      await conn.close();
    }
  });

  it('accepts percent-encoded credentials against a live server (trust auth)', async () => {
    const conn = await connectSql(parseDbUri(`postgresql+pg8000://postgres:p%40ss%3Aw%2Frd@127.0.0.1:5432/${dbName()}`), poolOptionsFromEnv({}));
    await conn.close();
  });

  it('fails sslmode=require against a server without TLS with one clean line and no password', async () => {
    const uri = `postgresql://postgres:s3cretpw@127.0.0.1:5432/${dbName()}?sslmode=require`;
    const started = Date.now();
    let err: MlfError | undefined;
    try {
      const c = await connectSql(parseDbUri(uri), poolOptionsFromEnv({}));
      await c.close();
    } catch (e) {
      err = e as MlfError;
    }
    // This server may have TLS after all; then the connection simply works.
    if (err) {
      expect(err).toBeInstanceOf(MlfError);
      expect(err.message).not.toContain('s3cretpw');
      expect(err.message).not.toContain('\n');
      expect(err.message).toMatch(/^Cannot connect to postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/.*SSL/);
      expect(Date.now() - started).toBeLessThan(3000); // not retried: the server answered
    }
  });
});

describe.skipIf(await skipUnlessAvailable('mysql'))('MariaDB URI options (live)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('mysql');
  });
  afterAll(async () => db?.drop());
  const dbName = () => new URL(db.uri).pathname.slice(1);

  it.skipIf(!fs.existsSync('/run/mysqld/mysqld.sock'))('connects through ?unix_socket=', async () => {
    const conn = await connectSql(parseDbUri(`mysql+pymysql://root@localhost/${dbName()}?unix_socket=/run/mysqld/mysqld.sock&charset=utf8mb4`), poolOptionsFromEnv({}));
    try {
      const { sql } = await import('kysely');
      // Over a socket MariaDB reports the client host as 'localhost' (TCP would be an address).
      const r = await sql<{ h: string }>`select host as h from information_schema.processlist where id = connection_id()`.execute(conn.db);
      expect(r.rows[0]!.h).toBe('localhost');
      const cs = await sql<{ c: string }>`select @@character_set_client as c`.execute(conn.db);
      expect(cs.rows[0]!.c).toBe('utf8mb4');
    } finally {
      await conn.close();
    }
  });

  for (const driver of ['pymysql', 'mysqldb', 'mysqlconnector']) {
    it(`serves mysql+${driver} with mysql2`, async () => {
      const conn = await connectSql(parseDbUri(`mysql+${driver}://root@127.0.0.1:3306/${dbName()}`), poolOptionsFromEnv({}));
      await conn.close();
    });
  }
});

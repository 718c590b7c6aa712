/**
 * MLflow's MLFLOW_SQLALCHEMYSTORE_* pool variables: the env mapping, then what each pool class
 * really does on PostgreSQL and MariaDB, counted from the server's side; dropped connections;
 * connect retry and back-off.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../../src/stores/sql/connect.js';
import { connectBackoffMs, keepIdle, maxConnections, OVERFLOW_LINGER_MS, poolOptionsFromEnv, type PoolOptions } from '../../../src/stores/sql/pool-options.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { MlfError } from '../../../src/lib/errors.js';
import type { TrackingStore } from '../../../src/stores/tracking-store.js';
import { createTestDatabase, PG_ADMIN_URI, skipUnlessAvailable, type TestDatabase } from '../../support/databases.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('poolOptionsFromEnv', () => {
  it("uses SQLAlchemy's defaults when nothing is set", () => {
    expect(poolOptionsFromEnv({})).toEqual({ poolSize: 5, maxOverflow: 10, recycleSeconds: undefined, poolClass: 'QueuePool', echo: false });
  });
  it('reads the five MLflow variables', () => {
    const p = poolOptionsFromEnv({
      MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '3',
      MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '2',
      MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE: '60',
      MLFLOW_SQLALCHEMYSTORE_POOLCLASS: 'NullPool',
      MLFLOW_SQLALCHEMYSTORE_ECHO: 'TRUE',
    });
    expect(p).toEqual({ poolSize: 3, maxOverflow: 2, recycleSeconds: 60, poolClass: 'NullPool', echo: true });
  });
  it('ignores 0 and empty values, as MLflow passes only truthy ones', () => {
    expect(poolOptionsFromEnv({ MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '0', MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE: '', MLFLOW_SQLALCHEMYSTORE_POOLCLASS: '' })).toMatchObject({
      poolSize: 5,
      recycleSeconds: undefined,
      poolClass: 'QueuePool',
    });
  });
  it("rejects an unknown poolclass with MLflow's message", () => {
    expect(() => poolOptionsFromEnv({ MLFLOW_SQLALCHEMYSTORE_POOLCLASS: 'FancyPool' })).toThrow(
      'Invalid poolclass parameter: FancyPool. Set environment variable poolclass to empty or one of the following values: AssertionPool, AsyncAdaptedQueuePool, FallbackAsyncAdaptedQueuePool, NullPool, QueuePool, SingletonThreadPool, StaticPool',
    );
  });
  it("rejects a non-boolean ECHO with MLflow's message", () => {
    expect(() => poolOptionsFromEnv({ MLFLOW_SQLALCHEMYSTORE_ECHO: 'yes' })).toThrow(
      "MLFLOW_SQLALCHEMYSTORE_ECHO value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got yes",
    );
  });
  it('rejects a non-integer size', () => {
    expect(() => poolOptionsFromEnv({ MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: 'ten' })).toThrow(MlfError);
  });
});

describe('pool class mapping', () => {
  const base = poolOptionsFromEnv({});
  const with_ = (o: Partial<PoolOptions>): PoolOptions => ({ ...base, ...o });
  it('QueuePool opens pool_size + max_overflow and keeps pool_size idle', () => {
    expect(maxConnections(with_({ poolSize: 2, maxOverflow: 3 }))).toBe(5);
    expect(keepIdle(with_({ poolSize: 2, maxOverflow: 3 }))).toBe(2);
  });
  it('StaticPool, SingletonThreadPool and AssertionPool use one connection', () => {
    for (const poolClass of ['StaticPool', 'SingletonThreadPool', 'AssertionPool'] as const) {
      expect(maxConnections(with_({ poolClass }))).toBe(1);
      expect(keepIdle(with_({ poolClass }))).toBe(1);
    }
  });
  it('NullPool keeps nothing idle', () => {
    expect(keepIdle(with_({ poolClass: 'NullPool' }))).toBe(0);
  });
  it("backs off as MLflow's create_sqlalchemy_engine_with_retry does", () => {
    expect([1, 2, 3, 4].map(connectBackoffMs)).toEqual([100, 300, 700, 1500]);
  });
});

it('an invalid poolclass is a one-line CLI error', () => {
  const r = spawnSync('node', ['bin/run.js', 'runs', 'list', '--tracking-uri', 'postgresql://postgres:s3cretpw@127.0.0.1:5432/postgres'], {
    cwd: ROOT,
    env: { ...process.env, MLFLOW_SQLALCHEMYSTORE_POOLCLASS: 'FancyPool', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  expect(r.status).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('Invalid poolclass parameter: FancyPool.');
  expect(r.stderr + r.stdout).not.toContain('s3cretpw');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  dialect: 'postgresql' | 'mysql';
  /** Connections the server has open to the test database. */
  count(db: string): Promise<number>;
  /** Kill every connection to the test database. */
  killAll(db: string): Promise<number>;
  slow(seconds: number): ReturnType<typeof sql>;
  /** A slow query that answers with its connection's id. */
  slowId(seconds: number): ReturnType<typeof sql>;
  backendId: ReturnType<typeof sql>;
  close(): Promise<void>;
}

async function pgServer(): Promise<Server> {
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URI });
  await admin.connect();
  return {
    dialect: 'postgresql',
    count: async (db) => Number((await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [db])).rows[0].n),
    killAll: async (db) =>
      (await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [db])).rowCount ?? 0,
    slow: (s) => sql`select pg_sleep(${s})`,
    slowId: (s) => sql`select pg_backend_pid() as id, pg_sleep(${s})`,
    backendId: sql`select pg_backend_pid() as id`,
    close: () => admin.end(),
  };
}

async function mysqlServer(): Promise<Server> {
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  const ids = async (db: string) =>
    ((await admin.query('select id from information_schema.processlist where db = ? and id <> connection_id()', [db]))[0] as { id: number }[]).map((r) => r.id);
  return {
    dialect: 'mysql',
    count: async (db) => (await ids(db)).length,
    killAll: async (db) => {
      const list = await ids(db);
      for (const id of list) await admin.query(`kill ${Number(id)}`).catch(() => undefined);
      return list.length;
    },
    slow: (s) => sql`select sleep(${s})`,
    slowId: (s) => sql`select connection_id() as id, sleep(${s})`,
    backendId: sql`select connection_id() as id`,
    close: () => admin.end(),
  };
}

/** Polls until `fn` returns `want` (connections close asynchronously), up to `ms`. */
async function eventually(fn: () => Promise<number>, want: number, ms = 3000): Promise<number> {
  const end = Date.now() + ms;
  let got = await fn();
  while (got !== want && Date.now() < end) {
    await sleep(50);
    got = await fn();
  }
  return got;
}

for (const dialect of ['postgresql', 'mysql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`${dialect} pools (live)`, () => {
    let db: TestDatabase;
    let server: Server;
    let name: string;
    const open: SqlConnection[] = [];
    const connect = async (env: Record<string, string>) => {
      const c = await connectSql(parseDbUri(db.uri), poolOptionsFromEnv(env));
      open.push(c);
      return c;
    };

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      name = new URL(db.uri).pathname.slice(1);
      server = dialect === 'postgresql' ? await pgServer() : await mysqlServer();
    });
    afterAll(async () => {
      for (const c of open) await c.close().catch(() => undefined);
      await server?.close();
      await db?.drop();
    });

    /** Runs `n` slow queries at once and samples the server's connection count meanwhile. */
    async function peak(c: SqlConnection, n: number, seconds: number): Promise<number> {
      let max = 0;
      let done = false;
      const work = Promise.all(Array.from({ length: n }, () => server.slow(seconds).execute(c.db))).finally(() => (done = true));
      while (!done) {
        max = Math.max(max, await server.count(name));
        await sleep(40);
      }
      await work;
      return max;
    }

    it('NullPool closes each connection once it is released', async () => {
      const c = await connect({ MLFLOW_SQLALCHEMYSTORE_POOLCLASS: 'NullPool' });
      await sql`select 1`.execute(c.db);
      expect(await eventually(() => server.count(name), 0)).toBe(0);
      // ... and still serves the next query on a new connection.
      const a = (await server.backendId.execute(c.db)).rows[0] as { id: number };
      const b = (await server.backendId.execute(c.db)).rows[0] as { id: number };
      expect(a.id).not.toBe(b.id);
      await c.close();
    });

    for (const poolClass of ['StaticPool', 'SingletonThreadPool']) {
      it(`${poolClass} serves concurrent queries over one connection`, async () => {
        const c = await connect({ MLFLOW_SQLALCHEMYSTORE_POOLCLASS: poolClass });
        const started = Date.now();
        expect(await peak(c, 4, 0.15)).toBe(1);
        expect(Date.now() - started).toBeGreaterThanOrEqual(550); // one after the other
        await c.close();
      });
    }

    it('POOL_SIZE + MAX_OVERFLOW caps the pool, and overflow connections close once idle', async () => {
      const c = await connect({ MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '2', MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '1' });
      expect(await peak(c, 6, 0.3)).toBe(3);
      expect(await eventually(() => server.count(name), 2, OVERFLOW_LINGER_MS + 3000)).toBe(2);
      // pool_size stay open while idle.
      await sleep(OVERFLOW_LINGER_MS + 500);
      expect(await server.count(name)).toBe(2);
      await c.close();
      expect(await eventually(() => server.count(name), 0)).toBe(0);
    });

    it('bursts of load a moment apart reuse the overflow connections instead of opening new ones', async () => {
      const c = await connect({ MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '2', MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '2' });
      const ids = new Set<number>();
      for (let burst = 0; burst < 5; burst++) {
        // Four at once: two pooled, two overflow connections, each query long enough to overlap.
        const rows = await Promise.all(Array.from({ length: 4 }, async () => (await server.slowId(0.05).execute(c.db)).rows[0] as { id: number }));
        for (const r of rows) ids.add(Number(r.id));
        await sleep(100);
      }
      // Closing each overflow connection on release opened two new ones per burst (10 ids).
      expect(ids.size).toBe(4);
      await c.close();
    });

    it('POOL_RECYCLE replaces a connection older than the limit; without it the connection is reused', async () => {
      const plain = await connect({ MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '1', MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '0' });
      const p1 = (await server.backendId.execute(plain.db)).rows[0] as { id: number };
      await sleep(1200);
      const p2 = (await server.backendId.execute(plain.db)).rows[0] as { id: number };
      expect(p2.id).toBe(p1.id);
      await plain.close();

      const c = await connect({ MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE: '1', MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '1', MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '0' });
      const a = (await server.backendId.execute(c.db)).rows[0] as { id: number };
      await sleep(1200);
      const b = (await server.backendId.execute(c.db)).rows[0] as { id: number };
      expect(b.id).not.toBe(a.id);
      await c.close();
    });

    describe('dropped connections', () => {
      let store: TrackingStore;
      beforeAll(async () => {
        store = await openTrackingStore(db.uri, { artifactRoot: '/tmp/mlf-pool-test-artifacts' });
      });
      afterAll(async () => store?.close());

      it('replaces killed connections: the next read and write succeed without an error', async () => {
        const id = await store.createExperiment({ name: 'before-kill' });
        await Promise.all([store.getExperiment(id), store.getExperiment('0'), store.searchExperiments()]); // a few pooled connections
        expect(await server.killAll(name)).toBeGreaterThan(0);
        expect((await store.getExperiment(id)).name).toBe('before-kill');
        expect(await server.killAll(name)).toBeGreaterThan(0);
        const id2 = await store.createExperiment({ name: 'after-kill' });
        expect((await store.getExperiment(id2)).name).toBe('after-kill');
      });

      it('a transaction that loses its connection fails TEMPORARILY_UNAVAILABLE, writes nothing, and the store recovers', async () => {
        const err = await store
          .atomic(async (s) => {
            await s.createExperiment({ name: 'half-1' });
            await server.killAll(name);
            await s.createExperiment({ name: 'half-2' });
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(MlfError);
        expect((err as MlfError).errorCode).toBe('TEMPORARILY_UNAVAILABLE');
        expect((err as MlfError).message).not.toContain('\n');
        expect(await store.getExperimentByName('half-1')).toBeNull();
        expect(await store.getExperimentByName('half-2')).toBeNull();
        const id = await store.createExperiment({ name: 'after-failed-tx' });
        expect((await store.getExperiment(id)).name).toBe('after-failed-tx');
      });
    });
  });
}

describe('connect retry', () => {
  it('retries a refused connection with back-off, then fails with one masked line', async () => {
    const old = process.env.MLF_CONNECT_RETRIES;
    process.env.MLF_CONNECT_RETRIES = '3';
    const started = Date.now();
    try {
      // Port 1 on loopback: nothing listens there, so each attempt is refused at once.
      const err = await connectSql(parseDbUri('postgresql://u:s3cretpw@127.0.0.1:1/db'), poolOptionsFromEnv({})).then(
        () => undefined,
        (e: unknown) => e as MlfError,
      );
      const elapsed = Date.now() - started;
      expect(err).toBeInstanceOf(MlfError);
      expect(err!.errorCode).toBe('TEMPORARILY_UNAVAILABLE');
      expect(err!.message).toMatch(/^Cannot connect to postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/);
      expect(err!.message).not.toContain('s3cretpw');
      expect(err!.message).not.toContain('\n');
      // 3 attempts: sleeps of 100 ms and 300 ms between them.
      expect(elapsed).toBeGreaterThanOrEqual(400);
      expect(elapsed).toBeLessThan(1400);
    } finally {
      if (old === undefined) delete process.env.MLF_CONNECT_RETRIES;
      else process.env.MLF_CONNECT_RETRIES = old;
    }
  });

  it('waits longer with more attempts', async () => {
    const old = process.env.MLF_CONNECT_RETRIES;
    process.env.MLF_CONNECT_RETRIES = '4';
    const started = Date.now();
    try {
      await expect(connectSql(parseDbUri('mysql://u:pw@127.0.0.1:1/db'), poolOptionsFromEnv({}))).rejects.toThrow(/ECONNREFUSED/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1100); // 100 + 300 + 700
    } finally {
      if (old === undefined) delete process.env.MLF_CONNECT_RETRIES;
      else process.env.MLF_CONNECT_RETRIES = old;
    }
  });
});

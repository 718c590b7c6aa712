/**
 * SQLite's writer connection in a worker thread, for `mlf server`: better-sqlite3 runs every
 * statement synchronously, so on the main thread a log-batch's inserts and its commit (SQLite's
 * fsyncs, with MLflow's rollback journal and synchronous=FULL) held the event loop, and /health with
 * it, for ~100 ms a large batch. Here the same statements run on a connection the worker owns, with
 * the same pragmas, the same `begin immediate` transactions and the same SQLite error codes (so
 * MLflow's error mapping is unchanged); the main thread only waits for answers.
 *
 * Kysely sees an ordinary single-connection driver (one statement or transaction at a time, as
 * better-sqlite3's own); `runMany` sends a whole insert's rows in one message.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { statementCache } from './statement-cache.js';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';

/**
 * The worker's body, run as CommonJS source (`eval`, with the statement cache's source passed in):
 * no module path to resolve in the bundled CLI.
 */
function threadMain(req: NodeRequire, cacheOver: typeof statementCache): void {
  const { parentPort, workerData } = req('node:worker_threads') as typeof import('node:worker_threads');
  const Database = req(workerData.driver) as typeof import('better-sqlite3');
  const db = new Database(workerData.file, { timeout: workerData.timeout });
  for (const p of workerData.pragmas as string[]) db.pragma(p);
  const prepare = cacheOver(db);
  // Taking the write lock (BEGIN IMMEDIATE) and finishing with it (COMMIT, which waits for other
  // connections' readers): SQLite's own busy handler sleeps 1, 2, 5 … up to 100 ms between tries,
  // and another process's writer (`--workers N`) that takes the lock again right after its commit
  // wins nearly every try, so under load a waiting writer starved for a second. Tried every
  // millisecond instead, it gets in at the other's next gap. Both statements may simply be retried.
  const busyOff = db.prepare('pragma busy_timeout = 0');
  const busyOn = db.prepare(`pragma busy_timeout = ${Number(workerData.timeout)}`);
  const tick = new Int32Array(new SharedArrayBuffer(4));
  const polled = <T>(run: () => T): T => {
    const until = Date.now() + Number(workerData.timeout);
    busyOff.get();
    try {
      for (;;) {
        try {
          return run();
        } catch (e) {
          if ((e as { code?: string })?.code !== 'SQLITE_BUSY' || Date.now() >= until) throw e;
        }
        Atomics.wait(tick, 0, 0, 1);
      }
    } finally {
      busyOn.get();
    }
  };
  parentPort!.on('message', (m: { id: number; op: string; sql: string; params: unknown[]; rows: unknown[][] }) => {
    try {
      if (m.op === 'close') {
        db.close();
        parentPort!.postMessage({ id: m.id });
        parentPort!.close();
        return;
      }
      const stmt = prepare(m.sql);
      if (m.op === 'runMany') {
        for (const r of m.rows) stmt.run(...r);
        parentPort!.postMessage({ id: m.id });
      } else if (stmt.reader) {
        parentPort!.postMessage({ id: m.id, rows: stmt.all(...m.params) });
      } else {
        const r = m.sql === 'begin immediate' || m.sql === 'commit' ? polled(() => stmt.run()) : stmt.run(...m.params);
        parentPort!.postMessage({ id: m.id, rows: [], changes: r.changes, lastInsertRowid: r.lastInsertRowid });
      }
    } catch (e) {
      const err = e as { message?: string; code?: string };
      parentPort!.postMessage({ id: m.id, error: { message: String(err?.message ?? e), code: err?.code } });
    }
  });
}

interface Answer {
  rows?: Record<string, unknown>[];
  changes?: number;
  lastInsertRowid?: number | bigint;
  error?: { message: string; code?: string };
}

/** The code of every pending and later call once the worker is gone (a lost connection to MLflow's mapping). */
export const WRITER_THREAD_GONE = 'MLF_SQLITE_WRITER_GONE';

/** The main thread's end of the writer: calls answered in the order sent. */
export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private gone?: string;

  constructor(file: string, timeoutMs: number, pragmas: string[]) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(`(${threadMain.toString()})(require, ${statementCache.toString()})`, { eval: true, workerData: { driver, file, timeout: timeoutMs, pragmas } });
    // An idle writer does not keep the process alive; one with calls in flight does.
    this.worker.unref();
    this.worker.on('message', (a: Answer & { id: number }) => {
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      if (this.pending.size === 0) this.worker.unref();
      if (a.error) p.reject(Object.assign(new Error(a.error.message), { code: a.error.code }));
      else p.resolve(a);
    });
    const fail = (why: string) => {
      this.gone ??= why;
      for (const p of this.pending.values()) p.reject(Object.assign(new Error(why), { code: WRITER_THREAD_GONE }));
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(`SQLite writer thread failed: ${e.message}`));
    this.worker.on('exit', () => fail('SQLite writer thread has exited'));
  }

  private call(msg: { op: string; sql?: string; params?: readonly unknown[]; rows?: unknown[][] }): Promise<Answer> {
    if (this.gone) return Promise.reject(Object.assign(new Error(this.gone), { code: WRITER_THREAD_GONE }));
    const id = ++this.nextId;
    return new Promise<Answer>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg });
    });
  }

  /** One statement: its rows, or for a write its changes and last rowid. */
  query(sql: string, params: readonly unknown[]): Promise<Answer> {
    return this.call({ op: 'query', sql, params });
  }

  /** One prepared statement run once per row of parameters. */
  async runMany(sql: string, rows: unknown[][]): Promise<void> {
    await this.call({ op: 'runMany', sql, rows });
  }

  async close(): Promise<void> {
    if (this.gone) return;
    await this.call({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}

class ThreadConnection implements DatabaseConnection {
  constructor(private readonly thread: SqliteWriterThread) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const a = await this.thread.query(q.sql, q.parameters);
    if (a.changes === undefined) return { rows: (a.rows ?? []) as R[] };
    return {
      rows: [],
      numAffectedRows: BigInt(a.changes),
      insertId: a.lastInsertRowid === undefined || a.lastInsertRowid === null ? undefined : BigInt(a.lastInsertRowid),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('The SQLite writer thread does not stream queries');
  }
}

/** Kysely's single SQLite connection, in the worker: one holder at a time, transactions taken with `begin immediate`. */
class ThreadDriver implements Driver {
  private readonly connection: ThreadConnection;
  private lock: Promise<void> = Promise.resolve();
  private unlock?: () => void;

  constructor(
    private readonly thread: SqliteWriterThread,
    private readonly onDestroy: () => void,
  ) {
    this.connection = new ThreadConnection(thread);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const prev = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((r) => (release = r));
    await prev;
    this.unlock = release;
    return this.connection;
  }

  async beginTransaction(c: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.unlock;
    this.unlock = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    await this.thread.close();
    this.onDestroy();
  }
}

/** SQLite's dialect (compiler, introspection) over the writer thread. */
export class ThreadSqliteDialect extends SqliteDialect {
  constructor(
    private readonly thread: SqliteWriterThread,
    /** Called once the writer is closed (the main thread's reader closes with it). */
    private readonly onDestroy: () => void,
  ) {
    super({ database: {} as never });
  }

  override createDriver(): Driver {
    return new ThreadDriver(this.thread, this.onDestroy);
  }
}

/**
 * What every role file of the SQL tracking store runs its statements through: the pool or the
 * transaction of an `atomic` view, the query cache, SQLite's synchronous runners, the write
 * transaction and MLflow's mapping of driver errors.
 *
 * Whether a statement may use SQLite's synchronous *writer* follows from the executor it is given:
 * a transaction handed out by `write` (or any statement of an `atomic` view) owns the connection.
 * Where the writer is a thread (the server), statements that own the connection go through Kysely
 * (its driver sends them to the thread) and inserts send their rows in one message.
 */
import { CompiledQuery, sql, type Compilable } from 'kysely';
import { isMlfError } from '../../../lib/errors.js';
import { driverError, guardDriver } from '../driver-errors.js';
import type { SqlConnection } from '../connect.js';
import { parsePackedNumbers } from '../dialects/common.js';
import { chunkRows, type BulkConflict, type Db, type PackSql, type SqlDialect, type SyncRunner, type ThreadWriter, type Tx } from '../dialects/dialect.js';
import { QueryCache } from '../query-cache.js';

const queryCaches = new WeakMap<SqlConnection, QueryCache>();

/**
 * A read whose rows the dialect may pack into one text value (SqlDialect.packRows): one string
 * through the driver instead of a row each, where the packing keeps every value exact.
 */
export interface Packing {
  columns: readonly string[];
  /** A column holds doubles (JSON packing only where the dialect prints them exactly). */
  floats?: boolean;
  /** Every column is a number or a boolean (the dialect's `numbers` form where it has one). */
  numeric?: boolean;
  /** The rows' order as columns, and the query without its ORDER BY (the packing sorts, once). */
  orderBy?: readonly string[];
  unordered?: () => Compilable<unknown>;
}

export class SqlExecutor {
  readonly dialect: SqlDialect;
  private readonly queries: QueryCache;
  private readonly sync?: { writer?: SyncRunner; reader?: SyncRunner; threadWriter?: ThreadWriter };

  constructor(
    readonly conn: SqlConnection,
    readonly artifactRoot: string,
    /** The pool, or the transaction of an `atomic` view. */
    readonly exec: Db | Tx,
    readonly inTransaction: boolean,
  ) {
    this.dialect = conn.dialect;
    let q = queryCaches.get(conn);
    if (!q) queryCaches.set(conn, (q = new QueryCache()));
    this.queries = q;
    this.sync = conn.dialect.syncAccess?.(conn.db);
  }

  /** An executor for the statements of one `atomic` view. */
  within(tx: Tx): SqlExecutor {
    return new SqlExecutor(this.conn, this.artifactRoot, tx, true);
  }

  /** `db` owns the connection: a write transaction, or anything inside an `atomic` view. */
  private holds(db: Db | Tx): boolean {
    return db !== this.exec || this.inTransaction;
  }

  /**
   * Run independent reads: together when `db` is the pool (each on its own connection; SQLite's
   * synchronous runners finish each at once anyway), one after another on a transaction's single
   * connection, which not every driver lets two statements share.
   */
  async each<T extends readonly (() => Promise<unknown>)[]>(db: Db | Tx, reads: T): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
    if (!this.holds(db)) return (await Promise.all(reads.map((r) => r()))) as never;
    const out: unknown[] = [];
    for (const r of reads) out.push(await r());
    return out as never;
  }

  /** Rows of a hot query (see query-cache.ts). */
  async rows<R = Record<string, any>>(db: Db | Tx, key: string, build: () => Compilable<unknown>, values: readonly unknown[]): Promise<R[]> {
    const text = this.queries.text(key, build, values);
    const runner = this.holds(db) ? this.sync?.writer : this.sync?.reader;
    const rows = runner?.all(text, values);
    if (rows) return rows as R[];
    return (await db.executeQuery<R>(CompiledQuery.raw(text, values as unknown[]))).rows;
  }

  /** A query built for this one call (a search): on SQLite it runs on the reader connection. */
  async runCompiled<R>(compiled: CompiledQuery): Promise<R[]> {
    const runner = this.inTransaction ? this.sync?.writer : this.sync?.reader;
    const rows = runner?.all(compiled.sql, compiled.parameters);
    if (rows) return rows as R[];
    return (await this.exec.executeQuery<R>(compiled)).rows;
  }

  /**
   * A hot query's rows converted one by one: from arrays where SQLite's synchronous runner gives
   * them (cheaper for the driver to build than objects) or where the dialect packs the rows (see
   * `Packing`), else from the driver's row objects (making arrays of those would cost more than it
   * saves).
   */
  async convert<T, R = Record<string, any>>(
    db: Db | Tx,
    key: string,
    build: () => Compilable<unknown>,
    values: readonly unknown[],
    from: { values: (v: unknown[]) => T; row: (r: R) => T },
    packing?: Packing,
  ): Promise<T[]> {
    const packed = packing && (await this.packed(db, key, build, values, packing));
    if (packed) {
      const out: T[] = new Array(packed.length);
      for (let i = 0; i < packed.length; i++) out[i] = from.values(packed[i]!);
      return out;
    }
    const text = this.queries.text(key, build, values);
    const runner = this.holds(db) ? this.sync?.writer : this.sync?.reader;
    const arrays = runner?.values(text, values);
    const rows = arrays ?? (await db.executeQuery<R>(CompiledQuery.raw(text, values as unknown[]))).rows;
    const out: T[] = new Array(rows.length);
    if (arrays) for (let i = 0; i < arrays.length; i++) out[i] = from.values(arrays[i]!);
    else for (let i = 0; i < rows.length; i++) out[i] = from.row(rows[i] as R);
    return out;
  }

  /** `runCompiled` as arrays of the given columns' values (a page of runs). */
  async runCompiledValues(compiled: CompiledQuery, columns: readonly string[]): Promise<unknown[][]> {
    const runner = this.inTransaction ? this.sync?.writer : this.sync?.reader;
    const arrays = runner?.values(compiled.sql, compiled.parameters);
    if (arrays) return arrays;
    return (await this.exec.executeQuery<Record<string, unknown>>(compiled)).rows.map((r) => columns.map((c) => r[c]));
  }

  /** Like `rows`, as arrays of the given columns' values (what large reads want); packed where `packing` says it may be. */
  async arrays(
    db: Db | Tx,
    key: string,
    build: () => Compilable<unknown>,
    values: readonly unknown[],
    columns: readonly string[],
    packing?: Omit<Packing, 'columns'>,
  ): Promise<unknown[][]> {
    const packed = packing && (await this.packed(db, key, build, values, { ...packing, columns }));
    if (packed) return packed;
    const text = this.queries.text(key, build, values);
    const runner = this.holds(db) ? this.sync?.writer : this.sync?.reader;
    const arrays = runner?.values(text, values);
    if (arrays) return arrays;
    const rows = (await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, values as unknown[]))).rows;
    return rows.map((r) => columns.map((c) => r[c]));
  }

  /**
   * The rows of a read packed into one text by the dialect (see SqlDialect.packRows), or undefined
   * where it cannot pack them exactly: read them the usual way then.
   */
  private async packed(db: Db | Tx, key: string, build: () => Compilable<unknown>, values: readonly unknown[], p: Packing): Promise<unknown[][] | undefined> {
    const pack = this.dialect.packRows;
    if (!pack) return undefined;
    const numbers = p.numeric ? pack.numbers : undefined;
    if (!numbers && p.floats && !pack.json.exactFloats) return undefined;
    const packedText = await this.packedText(db, key, build, values, p, numbers ?? pack.json.sql, numbers ? undefined : pack.json.refuses);
    if (packedText === undefined) return undefined;
    if (packedText === '') return [];
    return numbers ? parsePackedNumbers(packedText, p.columns.length) : (JSON.parse(packedText) as unknown[][]);
  }

  /**
   * A read of numbers only, as the dialect's `numbers` packing prints it (`1,2.5,t;3,NaN,f`, see
   * SqlDialect.packRows), unparsed: '' for no rows, undefined where the dialect has no such form.
   */
  async numbersText(db: Db | Tx, key: string, build: () => Compilable<unknown>, values: readonly unknown[], p: Omit<Packing, 'numeric'>): Promise<string | undefined> {
    const numbers = this.dialect.packRows?.numbers;
    return numbers && this.packedText(db, key, build, values, p, numbers);
  }

  private async packedText(
    db: Db | Tx,
    key: string,
    build: () => Compilable<unknown>,
    values: readonly unknown[],
    p: Packing,
    wrap: PackSql,
    refuses?: (e: unknown) => boolean,
  ): Promise<string | undefined> {
    const inner = p.unordered ? this.queries.text(`${key}:unordered`, p.unordered, values) : this.queries.text(key, build, values);
    const text = this.queries.text(`packed:${key}`, () => ({ compile: () => CompiledQuery.raw(wrap(inner, p.columns, p.orderBy ?? []), values as unknown[]) }), values);
    let packedText: unknown;
    try {
      const runner = this.holds(db) ? this.sync?.writer : this.sync?.reader;
      const rows = runner?.values(text, values);
      packedText = rows ? rows[0]?.[0] : Object.values((await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, values as unknown[]))).rows[0] ?? {})[0];
    } catch (e) {
      if (refuses?.(e)) return undefined;
      throw e;
    }
    return packedText == null ? '' : (packedText as string);
  }

  /**
   * Insert rows inside a write transaction. `conflict`: leave rows whose key exists alone
   * (`ignore`) or overwrite `update` columns (only where newer by `newerBy`). On SQLite each row runs
   * one cached prepared statement (the raw driver's speed); on PostgreSQL the hot tables take one
   * array per column; elsewhere rows go in multi-row statements.
   */
  async insertRows(
    tx: Db | Tx,
    table: string,
    rows: Record<string, unknown>[],
    conflict?: BulkConflict,
  ): Promise<void> {
    if (!rows.length) return;
    if (conflict?.newerBy && !this.dialect.capabilities.conditionalUpsert) throw new Error('insertRows: newerBy needs a dialect with conditionalUpsert');
    const writer = this.sync?.writer;
    const thread = this.sync?.threadWriter;
    if (writer || thread) {
      const cols = Object.keys(rows[0]!);
      const first = cols.map((c) => rows[0]![c]);
      const key = `insert:${table}:${cols.join(',')}:${conflict ? conflict.keys.join(',') + '>' + conflict.update.join(',') : ''}`;
      const text = this.queries.text(
        key,
        () => {
          const q = tx.insertInto(table).values(rows[0]!);
          if (!conflict) return q;
          return q.onConflict((oc) => {
            const c = oc.columns(conflict.keys as never);
            if (!conflict.update.length) return c.doNothing();
            const set: Record<string, unknown> = {};
            for (const col of conflict.update) set[col] = sql.ref(`excluded.${col}`);
            return c.doUpdateSet(set as never);
          });
        },
        first,
      );
      if (writer) for (const r of rows) writer.run(text, cols.map((c) => r[c]));
      else await thread!.runMany(text, rows.map((r) => cols.map((c) => r[c])));
      return;
    }
    if (await this.dialect.bulkInsert?.(tx, table, rows, conflict)) return;
    if (conflict?.newerBy) throw new Error(`insertRows: the dialect's bulkInsert did not take ${table}`);
    for (const part of chunkRows(rows, this.dialect.capabilities.maxParameters)) {
      if (conflict) await this.dialect.upsert(tx, table, part, conflict.keys, conflict.update);
      else await tx.insertInto(table).values(part).execute();
    }
  }

  /** Run `fn` in a write transaction (or inside the current one in an `atomic` view). */
  write<T>(fn: (tx: Db | Tx) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this.exec);
    return this.dialect.writeTransaction(this.exec as Db, fn);
  }

  /**
   * Map driver errors as MLflow's session wrapper does: a lost connection is
   * TEMPORARILY_UNAVAILABLE, any other database error BAD_REQUEST; MlfErrors pass through.
   * A read that lost its connection is retried once on a fresh one (MLflow's pre-ping).
   */
  async guard<T>(fn: () => Promise<T>, retryable = false): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (retryable && !this.inTransaction && !isMlfError(e) && this.dialect.isConnectionError(e)) return guardDriver(this.dialect, fn);
      throw driverError(this.dialect, e);
    }
  }

  /** `guard` around a write transaction: the shape of every mutation. */
  mutate<T>(fn: (tx: Db | Tx) => Promise<T>): Promise<T> {
    return this.guard(() => this.write(fn));
  }

  /** `guard` around a read on the store's own executor, retried once on a lost connection. */
  read<T>(fn: (db: Db | Tx) => Promise<T>): Promise<T> {
    return this.guard(() => fn(this.exec), true);
  }
}

/** Chunk size for `IN (...)` lists of run ids. */
export const ID_CHUNK = 500;

export function chunks<T>(items: T[], n: number = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

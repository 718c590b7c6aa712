/** Pieces shared by the dialect files. */
import { sql, type Expression, type RawBuilder, type LogConfig } from 'kysely';
import type { Db, PackSql, Tx } from './dialect.js';
import { maskUri } from '../../../tracking/uri.js';
import type { PoolOptions } from '../pool-options.js';

/** Kysely `log` option for MLFLOW_SQLALCHEMYSTORE_ECHO: statements to stderr, never a password. */
export function echoLogger(pool: PoolOptions): LogConfig | undefined {
  if (!pool.echo) return undefined;
  return (event) => {
    const q = event.query;
    const line = event.level === 'error' ? `[sql error] ${maskUri(String((event.error as Error)?.message ?? event.error))} in ` : '[sql] ';
    process.stderr.write(`${line}${maskUri(q.sql)} ${maskUri(JSON.stringify(q.parameters))} (${event.queryDurationMillis.toFixed(1)} ms)\n`);
  };
}

export function plainEq(column: Expression<unknown>, value: string): RawBuilder<boolean> {
  return sql<boolean>`${column} = ${value}`;
}

export function lowerLike(column: Expression<unknown>, pattern: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${column}) like lower(${pattern})`;
}

/** Upsert through `INSERT ... ON CONFLICT` (SQLite, PostgreSQL). */
export async function onConflictUpsert(
  db: Db | Tx,
  table: string,
  rows: Record<string, unknown>[],
  keyColumns: string[],
  updateColumns: string[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto(table)
    .values(rows)
    .onConflict((oc) => {
      const c = oc.columns(keyColumns as never);
      if (updateColumns.length === 0) return c.doNothing();
      const set: Record<string, unknown> = {};
      for (const col of updateColumns) set[col] = sql.ref(`excluded.${col}`);
      return c.doUpdateSet(set as never);
    })
    .execute();
}

export function errorCode(e: unknown): string | undefined {
  const any = e as { code?: unknown; errno?: unknown } | null;
  return any && typeof any.code === 'string' ? any.code : undefined;
}

export const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ESOCKET',
  'ECONNCLOSED',
]);

/**
 * Our stand-in for SQLAlchemy's `pool_pre_ping`. Instead of a `SELECT 1` round trip on every
 * checkout, the first statement on a checked-out connection is replayed once on a fresh
 * connection when it fails with a connection error — which is exactly the case pre-ping catches
 * (a connection the server closed while it sat in the pool). Only statements without side effects
 * are replayed (reads, BEGIN): a write that died in flight might have been applied, and a
 * statement later in a session or transaction depends on state the dead connection took with it.
 */
export function replayableFirstStatement(sqlText: string): boolean {
  return /^\s*(select|show|begin|start\s+transaction)\b/i.test(sqlText);
}

/** Retries of the first statement on a checkout: enough to skip several dead pooled connections. */
export function replayLimit(max: number): number {
  return max + 1;
}

/**
 * A ROLLBACK that fails because the connection is gone has nothing left to undo: the server
 * aborts an open transaction when its connection ends. Reporting it as success lets the error
 * that caused the rollback reach the caller, instead of the driver's "connection terminated".
 */
export function isPlainRollback(sqlText: string): boolean {
  return /^\s*rollback\s*;?\s*$/i.test(sqlText);
}

/** A word for a POSIX shell command line, quoted only when it needs to be. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The file name stem of a server database's backup, as the dump commands print it. */
export function backupStem(database: string | undefined, revision: string | null): string {
  return `${database || 'mlflow'}-backup-${revision ?? 'none'}`;
}

const packedRef = (c: string) => `s."${c.replace(/"/g, '""')}"`;
const packedOrder = (orderBy: readonly string[]) => (orderBy.length ? ` order by ${orderBy.map(packedRef).join(', ')}` : '');

/** A `packRows.json` query: `agg(array(s.c1, …) order by …)` over the rows of `inner` (columns double-quoted). */
export function jsonPackedRows(agg: string, array: string, cast = ''): PackSql {
  return (inner, columns, orderBy) => `select ${agg}(${array}(${columns.map(packedRef).join(', ')})${packedOrder(orderBy)})${cast} from (${inner}) s`;
}

/** A `packRows.numbers` query where `concat` prints NULL as nothing (PostgreSQL): `string_agg(concat(s.c1, ',', …), ';' order by …)`. */
export function concatPackedNumbers(): PackSql {
  return (inner, columns, orderBy) =>
    `select string_agg(concat(${columns.map(packedRef).join(", ',', ")}), ';'${packedOrder(orderBy)}) from (${inner}) s`;
}

/** PackRows.numbers' text back to rows: `1,2.5,t;3,NaN,f` → [[1, 2.5, true], [3, NaN, false]] (empty is NULL). */
export function parsePackedNumbers(text: string, width: number): unknown[][] {
  const out: unknown[][] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const row: unknown[] = new Array(width);
    for (let c = 0; c < width; c++) {
      let j = text.indexOf(c === width - 1 ? ';' : ',', i);
      if (j < 0) j = n;
      row[c] = packedNumber(text, i, j);
      i = j + 1;
    }
    out.push(row);
  }
  return out;
}

function packedNumber(text: string, from: number, to: number): unknown {
  if (from === to) return null;
  if (to === from + 1) {
    const ch = text.charCodeAt(from);
    if (ch === 116 /* t */) return true;
    if (ch === 102 /* f */) return false;
  }
  return Number(text.slice(from, to));
}

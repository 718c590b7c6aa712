/** The raw better-sqlite3 handle behind a Kysely instance, for the backup API and benchmarks. */
import type { Db } from '../dialect.js';

type BetterDb = import('better-sqlite3').Database;

const rawHandles = new WeakMap<Db, BetterDb>();

export function rawSqliteHandle(db: Db): BetterDb | undefined {
  return rawHandles.get(db);
}

export function setRawSqliteHandle(db: Db, raw: BetterDb): void {
  rawHandles.set(db, raw);
}

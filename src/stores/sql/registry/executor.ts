/**
 * What every role file of the SQL registry runs its statements through: the pool, write
 * transactions, MLflow's mapping of driver errors, and the case-sensitive name comparison.
 */
import { sql, type RawBuilder } from 'kysely';
import { MlfError, isMlfError } from '../../../lib/errors.js';
import { maskUri } from '../../../tracking/uri.js';
import type { SqlConnection } from '../connect.js';
import { driverError, guardDriver } from '../driver-errors.js';
import type { Db, SqlDialect, Tx } from '../dialects/dialect.js';
import { inWorkspace, registryKeyedByWorkspace } from './workspace.js';

export type Exec = Db | Tx;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Row = Record<string, any>;

export class RegistryExecutor {
  readonly d: SqlDialect;
  readonly db: Db;

  constructor(conn: SqlConnection) {
    this.d = conn.dialect;
    this.db = conn.db;
  }

  /** MLflow's session wrapper: a lost connection is TEMPORARILY_UNAVAILABLE, any other database error BAD_REQUEST. */
  guard<T>(fn: () => Promise<T>): Promise<T> {
    return guardDriver(this.d, fn);
  }

  mapError(e: unknown): unknown {
    return driverError(this.d, e);
  }

  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.guard(() => this.d.writeTransaction(this.db, fn));
  }

  /**
   * Insert or update one row of `table` in a write transaction, once `owner` has found (or refused)
   * the model or version it hangs on. The workspace key is read before the transaction opens (workspace.ts).
   */
  async upsertUnder(
    owner: (tx: Tx) => Promise<Row>,
    table: string,
    row: (found: Row) => Record<string, unknown>,
    keys: string[],
    update: string[],
  ): Promise<void> {
    const keyed = await this.guard(() => registryKeyedByWorkspace(this.db));
    await this.write(async (tx) => {
      const u = inWorkspace(keyed, [row(await owner(tx))], keys);
      await this.d.upsert(tx, table, u.rows, u.keys, update);
    });
  }

  /** `column = value`, case-sensitive, written so an index on the column can still be used. */
  is(column: string, value: string): RawBuilder<boolean> {
    const ref = sql.ref(column);
    return sql<boolean>`${ref} = ${value} and ${this.d.eqCaseSensitive(ref, value)}`;
  }

  uniqueViolation(e: unknown): boolean {
    return !isMlfError(e) && this.d.isUniqueViolation(e);
  }
}

/** MLflow's RESOURCE_ALREADY_EXISTS for a taken registered model name, with the driver's line. */
export function modelAlreadyExists(name: string, e: unknown): MlfError {
  const detail = maskUri(String((e as Error)?.message ?? e)).split('\n')[0];
  return new MlfError(`Registered Model (name=${name}) already exists. Error: ${detail}`, 'RESOURCE_ALREADY_EXISTS');
}

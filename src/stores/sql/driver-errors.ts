/**
 * MLflow's session wrapper, for every SQL role (tracking, registry, logged models, traces): a lost
 * connection is TEMPORARILY_UNAVAILABLE, any other database error BAD_REQUEST with its first line,
 * passwords masked; MlfErrors pass through.
 */
import { MlfError, isMlfError } from '../../lib/errors.js';
import { maskUri } from '../../tracking/uri.js';
import type { SqlDialect } from './dialects/dialect.js';

export function driverError(dialect: SqlDialect, e: unknown): unknown {
  if (isMlfError(e)) return e;
  const message = maskUri(String((e as Error)?.message ?? e));
  if (dialect.isConnectionError(e)) return new MlfError(`Database unavailable: ${message}`, 'TEMPORARILY_UNAVAILABLE');
  return new MlfError(message.split('\n')[0]!, 'BAD_REQUEST');
}

/** `fn`, its driver errors mapped by {@link driverError}. */
export async function guardDriver<T>(dialect: SqlDialect, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw driverError(dialect, e);
  }
}

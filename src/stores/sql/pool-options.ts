/**
 * MLflow's engine variables (`MLFLOW_SQLALCHEMYSTORE_*`), read once and mapped onto each driver's pool
 * by the dialect files. As in MLflow, a value of 0 or empty means "not set".
 */
import { MlfError } from '../../lib/errors.js';

export const POOL_CLASSES = [
  'AssertionPool',
  'AsyncAdaptedQueuePool',
  'FallbackAsyncAdaptedQueuePool',
  'NullPool',
  'QueuePool',
  'SingletonThreadPool',
  'StaticPool',
] as const;
export type PoolClass = (typeof POOL_CLASSES)[number];

export interface PoolOptions {
  /** Connections kept open (SQLAlchemy `pool_size`, default 5). */
  poolSize: number;
  /** Extra connections allowed under load (`max_overflow`, default 10). */
  maxOverflow: number;
  /** Close connections older than this many seconds (`pool_recycle`), or undefined. */
  recycleSeconds?: number;
  poolClass: PoolClass;
  /** Log every statement to stderr (`echo`). */
  echo: boolean;
}

/** MLflow's boolean env parsing: true/false/1/0, case-insensitive; anything else is an error. */
export function parseBooleanEnv(name: string, value: string | undefined, dflt: boolean): boolean {
  if (value === undefined || value === '') return dflt;
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new MlfError(
    `${name} value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${value}`,
    'INVALID_PARAMETER_VALUE',
  );
}

function intEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    throw new MlfError(`${name} must be an integer, got '${raw}'`, 'INVALID_PARAMETER_VALUE');
  }
  return n || undefined; // MLflow passes only truthy values
}

export function poolOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PoolOptions {
  const cls = env.MLFLOW_SQLALCHEMYSTORE_POOLCLASS;
  if (cls && !(POOL_CLASSES as readonly string[]).includes(cls)) {
    throw new MlfError(
      `Invalid poolclass parameter: ${cls}. Set environment variable poolclass to empty or one of the following values: ${POOL_CLASSES.join(', ')}`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  return {
    poolSize: intEnv(env, 'MLFLOW_SQLALCHEMYSTORE_POOL_SIZE') ?? 5,
    maxOverflow: intEnv(env, 'MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW') ?? 10,
    recycleSeconds: intEnv(env, 'MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE'),
    poolClass: (cls as PoolClass | undefined) || 'QueuePool',
    echo: parseBooleanEnv('MLFLOW_SQLALCHEMYSTORE_ECHO', env.MLFLOW_SQLALCHEMYSTORE_ECHO, false),
  };
}

/**
 * How each SQLAlchemy pool class maps onto a Node driver's pool (pg.Pool, mysql2's pool, tarn for
 * tedious). Node runs one thread, so SingletonThreadPool (one connection per thread) is one
 * connection, like StaticPool; AssertionPool allows one checkout at a time, so one connection
 * too. The async pools are QueuePools for our purpose.
 */
export function maxConnections(p: PoolOptions): number {
  switch (p.poolClass) {
    case 'StaticPool':
    case 'SingletonThreadPool':
    case 'AssertionPool':
      return 1;
    default:
      // NullPool keeps nothing but still allows concurrent connections; SQLAlchemy's QueuePool
      // opens at most pool_size + max_overflow (a negative max_overflow is "unlimited" there; we
      // keep a finite cap so a runaway server cannot exhaust the database).
      return Math.max(1, p.poolSize + (p.maxOverflow < 0 ? 100 : p.maxOverflow));
  }
}

/**
 * Connections kept open while idle: none for NullPool (closed as soon as they are released),
 * the single one for the one-connection pools, `pool_size` for QueuePool (overflow connections are
 * closed once idle, see OVERFLOW_LINGER_MS).
 */
export function keepIdle(p: PoolOptions): number {
  if (p.poolClass === 'NullPool') return 0;
  return Math.min(maxConnections(p), Math.max(1, p.poolSize));
}

/**
 * How long an overflow connection (one over keepIdle()) stays open once idle. SQLAlchemy's QueuePool
 * closes it at once on release, but its sync MLflow worker holds one connection at a time; mlf's
 * server runs many requests at once, so under steady load a released overflow connection is wanted
 * again within milliseconds. Closing it at once made `--workers 2` on PostgreSQL open 397 sessions
 * in 10 s, each a backend fork (23 ms on the VM the bench ran on). mysql2 sweeps its idle
 * connections once a second, which is about the same.
 */
export const OVERFLOW_LINGER_MS = 2_000;

/** Idle timeout for pools that only have one (tarn): NullPool closes a released connection at once. */
export function idleTimeoutMillis(p: PoolOptions): number {
  return p.poolClass === 'NullPool' ? 1 : 30_000;
}

/** MLflow's back-off between connection attempts: 0.1 * (2^n - 1) s after the n-th failed attempt. */
export function connectBackoffMs(attempt: number): number {
  return 100 * (2 ** attempt - 1);
}

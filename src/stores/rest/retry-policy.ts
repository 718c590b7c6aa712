/**
 * The retry and timeout settings of the HTTP client, from MLflow's environment variables, and the
 * back-off urllib3's `Retry` sleeps between attempts (see http-client.ts for how they are used).
 */
import { invalidParameter as invalid } from '../../lib/errors.js';

export interface RetryPolicy {
  maxRetries: number;
  /** Seconds. */
  backoffFactor: number;
  /** Seconds of random jitter added to each back-off. */
  backoffJitter: number;
  /** Seconds to wait for a connection or for the next bytes of an answer. */
  timeout: number;
  respectRetryAfter: boolean;
}

/** urllib3's `Retry.DEFAULT_BACKOFF_MAX`. */
export const BACKOFF_MAX_S = 120;
/** `_TRANSIENT_FAILURE_RESPONSE_CODES` in `mlflow/utils/request_utils.py`. */
export const RETRY_CODES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
/** urllib3's `Retry.RETRY_AFTER_STATUS_CODES`. */
export const RETRY_AFTER_CODES: ReadonlySet<number> = new Set([413, 429, 503]);
/** 500s that still deserve a retry: the server itself says the fault may pass. */
export const TRANSIENT_500_CODES: ReadonlySet<string> = new Set(['INTERNAL_ERROR', 'TEMPORARILY_UNAVAILABLE']);

/** MLflow's boolean environment variables: true/false/1/0 in any case. */
export function envBool(env: NodeJS.ProcessEnv, name: string, dflt: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(`${name} value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${raw}`);
}

function envNumber(env: NodeJS.ProcessEnv, name: string, dflt: number, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw.trim());
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw invalid(`Invalid value '${raw}' for environment variable ${name}: expected ${integer ? 'an integer' : 'a number'}.`);
  }
  return n;
}

/**
 * The retry and timeout settings from MLflow's environment variables, checked as MLflow checks them
 * (`_validate_max_retries`, `_validate_backoff_factor`, same messages). mlf also accepts a fractional
 * back-off factor and timeout, where MLflow's `int()` would refuse one.
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const maxRetries = envNumber(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', 5, true);
  const retryLimit = envNumber(env, '_MLFLOW_HTTP_REQUEST_MAX_RETRIES_LIMIT', 10, true);
  if (retryLimit < 0) throw invalid(`The current maximum retry limit is invalid (${retryLimit}). Cannot be negative.`);
  if (maxRetries >= retryLimit) {
    throw invalid(`The configured max_retries value (${maxRetries}) is in excess of the maximum allowable retries (${retryLimit})`);
  }
  if (maxRetries < 0) throw invalid(`The max_retries value must be either 0 a positive integer. Got ${maxRetries}`);

  const backoffFactor = envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', 2, false);
  const factorLimit = envNumber(env, '_MLFLOW_HTTP_REQUEST_MAX_BACKOFF_FACTOR_LIMIT', 120, false);
  if (factorLimit < 0) {
    throw invalid(`The current maximum backoff factor limit is invalid (${factorLimit}). Cannot be negative.`);
  }
  if (backoffFactor >= factorLimit) {
    throw invalid(
      `The configured backoff_factor value (${backoffFactor}) is in excess of the maximum allowable backoff_factor limit (${factorLimit})`,
    );
  }
  if (backoffFactor < 0) throw invalid(`The backoff_factor value must be either 0 a positive integer. Got ${backoffFactor}`);

  const backoffJitter = envNumber(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', 1, false);
  const timeout = envNumber(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', 120, false);
  if (timeout <= 0) throw invalid(`Invalid value '${env.MLFLOW_HTTP_REQUEST_TIMEOUT}' for environment variable MLFLOW_HTTP_REQUEST_TIMEOUT: expected a positive number of seconds.`);
  return {
    maxRetries,
    backoffFactor,
    backoffJitter: Math.max(0, backoffJitter),
    timeout,
    respectRetryAfter: envBool(env, 'MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER', true),
  };
}

/** urllib3's back-off before retry number `n` (1-based): 0, then factor·2^(n-1) + jitter, at most 120 s. */
export function backoffSeconds(policy: RetryPolicy, n: number, random: () => number = Math.random): number {
  if (n <= 1) return 0;
  let s = policy.backoffFactor * 2 ** (n - 1);
  if (policy.backoffJitter) s += random() * policy.backoffJitter;
  return Math.max(0, Math.min(BACKOFF_MAX_S, s));
}

/** A `Retry-After` value in seconds (delta-seconds or an HTTP date), or undefined if unusable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, (t - now) / 1000);
}
/** Seconds of back-off that `retries` retries sleep in all, jitter aside. */
export function totalBackoffSeconds(policy: RetryPolicy, retries = policy.maxRetries): number {
  let s = 0;
  for (let n = 1; n <= retries; n++) s += backoffSeconds(policy, n, () => 0);
  return s;
}

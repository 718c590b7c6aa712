/**
 * `k=v` arguments of the CLI (`--param lr=0.01`, `--metric loss=0.25@3`, `--tag team=vision`).
 *
 * Only the shape is checked here (an `=`, a non-empty key, a number for metrics); MLflow's rules on
 * keys and values are applied by `src/tracking/validation.ts` before anything is written.
 *
 * @example
 * parseKeyValue('lr=0.01', 'param')        // { key: 'lr', value: '0.01' }
 * parseMetricArg('loss=0.25@3', 'metric')  // { key: 'loss', value: 0.25, step: 3 }
 */
import { MlfError } from '../lib/errors.js';

export interface KeyValueArg {
  key: string;
  value: string;
}

export interface MetricArg {
  key: string;
  value: number;
  /** Set when the argument carries its own step (`key=value@step`). */
  step?: number;
}

function usage(message: string): MlfError {
  return new MlfError(message, 'INVALID_PARAMETER_VALUE', 2);
}

/**
 * Split at the first `=`: keys may not contain `=` (MLflow's key rule forbids it), values may.
 * Whitespace is kept as given, since MLflow keeps it too.
 */
export function parseKeyValue(arg: string, flag: string): KeyValueArg {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw usage(`Invalid --${flag} '${arg}': expected KEY=VALUE`);
  return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
}

/**
 * A metric value as the CLI accepts it: a decimal or exponent number, or `nan`, `inf`, `-inf`,
 * `Infinity`, `-Infinity` (any case), which MLflow stores too. Rejects what `Number()` would
 * quietly accept but is not a number a person meant (`''`, `' '`, `0x10`, `1_000`).
 */
export function parseMetricValue(raw: string, key: string): number {
  const s = raw.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
  throw usage(`Invalid value '${raw}' for metric '${key}': expected a number`);
}

/** A step: an integer that fits in a 64-bit long (as a JS number, so within ±2^53). */
export function parseStep(raw: string | number, what: string): number {
  const s = typeof raw === 'number' ? String(raw) : raw.trim();
  if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw usage(`Invalid step '${raw}' for ${what}: expected an integer`);
  }
  return Number(s);
}

/** `key=value` or `key=value@step`. `@` cannot appear in a number, so the last `@` is the step. */
export function parseMetricArg(arg: string, flag = 'metric'): MetricArg {
  const { key, value } = parseKeyValue(arg, flag);
  const at = value.lastIndexOf('@');
  if (at === -1) return { key, value: parseMetricValue(value, key) };
  return { key, value: parseMetricValue(value.slice(0, at), key), step: parseStep(value.slice(at + 1), `metric '${key}'`) };
}

/** `--columns metrics.loss,params.lr --columns tags.team` → ['metrics.loss', 'params.lr', 'tags.team']. */
export function splitList(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    for (const part of v.split(',')) {
      const t = part.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

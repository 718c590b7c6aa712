/**
 * Metric files: one `"<timestamp> <value> <step>\n"` line per logged point, values in Python's
 * float text. Old files have two fields (`<timestamp> <value>`, step 0).
 */
import { MlfError } from '../../lib/errors.js';
import { compareMetricPoints, type Metric } from '../../tracking/entities.js';
import { pyFloatRepr } from '../../tracking/validation.js';
import { parsePythonFloat } from './py-float.js';

/** The line MLflow appends for one point (`f"{timestamp} {value} {step}\\n"`, value as Python's repr). */
export function metricLine(m: { timestamp: number; value: number; step: number }): string {
  return `${intText(m.timestamp)} ${pyFloatRepr(m.value)} ${intText(m.step)}\n`;
}

/** Python prints ints in full however large; JS switches to exponent form from 1e21. */
function intText(n: number): string {
  return Math.abs(n) < 1e21 ? String(n) : BigInt(Math.trunc(n)).toString();
}

function malformed(key: string, fields: number, experimentId: string): MlfError {
  return new MlfError(
    `Metric '${key}' is malformed; persisted metric data contained ${fields} fields. Expected 2 or 3 fields. Experiment id: ${experimentId}`,
    'INTERNAL_ERROR',
  );
}

function parseIntField(s: string): number | undefined {
  if (!/^[-+]?\d+$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Calls `each` for every complete line of a metric file. A last line without its newline is a
 * write still in progress (or torn) and is skipped, so a reader never sees half a point.
 */
function forEachPoint(
  text: string,
  key: string,
  experimentId: string,
  each: (timestamp: number, value: number, step: number) => void,
): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const j = text.indexOf('\n', i);
    if (j === -1) break;
    const line = text.slice(i, j).trim();
    i = j + 1;
    if (line === '') continue;
    const a = line.indexOf(' ');
    const b = a === -1 ? -1 : line.indexOf(' ', a + 1);
    const c = b === -1 ? -1 : line.indexOf(' ', b + 1);
    if (a === -1 || c !== -1) throw malformed(key, line.split(' ').length, experimentId);
    const ts = parseIntField(line.slice(0, a));
    const value = parsePythonFloat(b === -1 ? line.slice(a + 1) : line.slice(a + 1, b));
    const step = b === -1 ? 0 : parseIntField(line.slice(b + 1));
    if (ts === undefined || value === undefined || step === undefined) {
      throw new MlfError(`Metric '${key}' is malformed; could not parse line '${line}'. Experiment id: ${experimentId}`, 'INTERNAL_ERROR');
    }
    each(ts, value, step);
  }
}

/** Every point, in file (append) order. */
export function parseMetricHistory(text: string, key: string, experimentId: string): Metric[] {
  const out: Metric[] = [];
  forEachPoint(text, key, experimentId, (timestamp, value, step) => out.push({ key, value, timestamp, step }));
  return out;
}

/**
 * The latest point: the maximum by (step, timestamp, value), as MLflow's `max()` over the lines.
 * Undefined for a file with no complete line.
 */
export function parseLatestMetric(text: string, key: string, experimentId: string): Metric | undefined {
  let best: Metric | undefined;
  forEachPoint(text, key, experimentId, (timestamp, value, step) => {
    const m = { key, value, timestamp, step };
    if (!best || compareMetricPoints(m, best) > 0) best = m;
  });
  return best;
}

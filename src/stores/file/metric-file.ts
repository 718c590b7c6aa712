/**
 * Metric files: one `"<timestamp> <value> <step>\n"` line per logged point, values in Python's
 * float text. Old files have two fields (`<timestamp> <value>`, step 0).
 */
import { MlfError } from '../../lib/errors.js';
import { compareMetricPoints, type Metric } from '../../tracking/entities.js';
import { pyFloatRepr } from '../../tracking/py-format.js';
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

/** Python's `int(text)` for a timestamp or step field; undefined if it is not an integer. */
function parseIntField(s: string): number | undefined {
  const n = s.length;
  let k = 0;
  const c = s.charCodeAt(0);
  if (c === 45 || c === 43) k = 1;
  if (k >= n) return undefined;
  for (let i = k; i < n; i++) {
    const d = s.charCodeAt(i);
    if (d < 48 || d > 57) return undefined;
  }
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
    let s = i;
    let e = j;
    i = j + 1;
    // Python's str.strip(): MLflow's own lines have no surrounding blanks except the newline.
    while (s < e && isBlank(text.charCodeAt(s))) s++;
    while (e > s && isBlank(text.charCodeAt(e - 1))) e--;
    if (s === e) continue;
    const a = spaceIn(text, s, e);
    const b = a === -1 ? -1 : spaceIn(text, a + 1, e);
    const fields = a === -1 ? 1 : b === -1 ? 2 : spaceIn(text, b + 1, e) === -1 ? 3 : 4;
    if (fields !== 2 && fields !== 3) throw malformed(key, text.slice(s, e).split(' ').length, experimentId);
    const ts = parseIntField(text.slice(s, a));
    const value = parsePythonFloat(fields === 2 ? text.slice(a + 1, e) : text.slice(a + 1, b));
    const step = fields === 2 ? 0 : parseIntField(text.slice(b + 1, e));
    if (ts === undefined || value === undefined || step === undefined) {
      throw new MlfError(`Metric '${key}' is malformed; could not parse line '${text.slice(s, e)}'. Experiment id: ${experimentId}`, 'INTERNAL_ERROR');
    }
    each(ts, value, step);
  }
}

/** Index of the first ' ' in text[from, end), or -1. */
function spaceIn(text: string, from: number, end: number): number {
  const k = text.indexOf(' ', from);
  return k === -1 || k >= end ? -1 : k;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
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
  let found = false;
  let bs = 0;
  let bt = 0;
  let bv = 0;
  forEachPoint(text, key, experimentId, (timestamp, value, step) => {
    if (!found || compareMetricPoints({ key, value, timestamp, step }, { key, value: bv, timestamp: bt, step: bs }) > 0) {
      found = true;
      bs = step;
      bt = timestamp;
      bv = value;
    }
  });
  return found ? { key, value: bv, timestamp: bt, step: bs } : undefined;
}

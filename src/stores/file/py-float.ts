/**
 * Python's `float(text)` for the value field of a metric file line. (Writing uses `pyFloatRepr`
 * from `src/tracking/validation.ts`, which prints Python's `repr(float)`.)
 */

/**
 * Decimal and exponent forms, `nan`/`inf`/`infinity` in any case with an optional sign, digit-group
 * underscores. Returns undefined for anything Python's `float()` would refuse.
 *
 * @example
 * parsePythonFloat('-inf') // -Infinity
 * parsePythonFloat('1e-05') // 0.00001
 */
export function parsePythonFloat(text: string): number | undefined {
  // Fast path for what MLflow writes ("0.5", "-2.5", "1e-05", "1.5e+308"): digits first, not 0x/0o/0b.
  const c0 = text.charCodeAt(0);
  const c1 = text.charCodeAt(1);
  if (((c0 >= 48 && c0 <= 57) || (c0 === 45 && c1 >= 48 && c1 <= 57)) && !(c0 === 48 && c1 > 57)) {
    const n = Number(text);
    if (n === n) return n;
  }
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  const lower = t.toLowerCase();
  const body = lower[0] === '+' || lower[0] === '-' ? lower.slice(1) : lower;
  if (body === 'nan') return NaN;
  if (body === 'inf' || body === 'infinity') return lower[0] === '-' ? -Infinity : Infinity;
  if (/^[+-]?(\d(_?\d)*)?(\.(\d(_?\d)*)?)?([eE][+-]?\d(_?\d)*)?$/.test(lower) && /\d/.test(lower)) {
    const n = Number(lower.replace(/_/g, ''));
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

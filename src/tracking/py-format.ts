/**
 * Python-style text for values, as MLflow's messages embed them (`repr`, `str`, `json.dumps`,
 * `type(v).__name__`). Clients and MLflow's own tests compare these messages verbatim, so this is the
 * one formatter every message builder uses.
 *
 * JSON keeps `9.0` and `9` apart (Python reads a float and an int) where `JSON.parse` does not:
 * {@link parseJsonKeepingFloats} (./json-float-literals.ts) remembers which integral numbers were
 * written as floats, and the formatters here print those as Python would (`9.0`, type `float`).
 *
 * @example
 * const body = parseJsonKeepingFloats('{"artifact_location": 9.0}') as Record<string, unknown>;
 * pyJsonDumps(body.artifact_location, body, 'artifact_location'); // '9.0'
 * pyTypeName(body.artifact_location, body, 'artifact_location');  // 'float'
 */

import { isFloatLiteral } from './json-float-literals.js';

export { isFloatLiteral, parseJsonKeepingFloats } from './json-float-literals.js';

/** Python's `repr(float)`: `1.0`, `0.1`, `1e-05`, `1e+16`, `nan`, `inf`. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  // Python switches to exponent notation when the decimal exponent is < -4 or >= 16.
  if (abs >= 1e16 || abs < 1e-4) {
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x); // shortest round-trip digits, same as Python's repr in this range
  return s.includes('.') ? s : `${s}.0`;
}

/** A JSON number as Python holds it: an int unless non-integral or written as a float. */
function pyNumber(v: number, floatLiteral: boolean): string {
  return Number.isInteger(v) && !floatLiteral ? String(v) : pyFloatRepr(v);
}

/** Python's `type(value).__name__` for a JSON value (`holder`/`key` tell a written `9.0` from `9`). */
export function pyTypeName(v: unknown, holder?: unknown, key?: string | number): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && !(key !== undefined && isFloatLiteral(holder, key)) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/** Python's `str()` of a value as it would reach MLflow from JSON. */
export function pyStr(v: unknown, holder?: unknown, key?: string | number): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v, key !== undefined && isFloatLiteral(holder, key));
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

/** Python's `repr(str)`: single quotes unless the text holds `'` and no `"`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a JSON-like value (dicts, lists, str, int/float, bool, None). */
export function pyRepr(v: unknown, holder?: unknown, key?: string | number): string {
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map((x, i) => pyRepr(x, v, i)).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x, v, k)}`)
      .join(', ')}}`;
  }
  return pyStr(v, holder, key);
}

/** Python's `json.dumps(v, sort_keys=True, separators=(",", ":"))` (ensure_ascii on, NaN allowed). */
export function pyJsonDumps(v: unknown, holder?: unknown, key?: string | number): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return pyNumber(v, key !== undefined && isFloatLiteral(holder, key));
  }
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x, i) => pyJsonDumps(x, v, i)).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${pyJsonDumps(k)}:${pyJsonDumps(o[k], o, k)}`)
      .join(',')}}`;
  }
  return pyJsonDumps(String(v));
}

/**
 * The `meta.yaml` files of MLflow's file store: written as PyYAML writes them (`yaml.safe_dump`,
 * keys sorted, block style) and read with a small parser for the flat shapes MLflow produces.
 *
 * Why not js-yaml for everything: reading 10,000 run `meta.yaml` files is the hot path of a
 * search, and a hand parser for `key: scalar` lines is several times faster. Anything it does not
 * recognise (wrapped long lines, block scalars, anchors, ...) falls back to js-yaml, so a file
 * written by any YAML writer still reads. Writing is hand-made too, with conservative quoting:
 * a string is left plain only when both PyYAML (YAML 1.1) and js-yaml (YAML 1.2) read it back as
 * the same string, so `yes`, `null`, `1:20`, `0x1F` or `2024-01-01` are always quoted.
 */
import type * as JsYaml from 'js-yaml';

export type YamlScalar = string | number | boolean | null;
export type YamlValue = YamlScalar | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

let jsYaml: typeof JsYaml | undefined;

/** Loads js-yaml once (the parser's fallback); the file store calls it when it opens. */
export async function loadYamlFallback(): Promise<void> {
  if (!jsYaml) jsYaml = (await import('js-yaml')).default as unknown as typeof JsYaml;
}

// YAML 1.1 words PyYAML turns into booleans or null; js-yaml would print some of them bare.
const RESERVED_WORDS = /^(y|n|yes|no|on|off|true|false|null|~)$/i;
// Safe as a plain scalar in both YAML versions: starts with a letter, '_' or '/', no characters
// with a meaning in YAML, no ': ' or ' #', no trailing space. Everything else gets quoted.
const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_./:@+=-]*(?: [A-Za-z0-9_./:@+=-]+)*$/;
const NEEDS_DOUBLE_QUOTES = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]/;

// Hex ids (run, trace) that start with a digit: PyYAML writes them bare, as no YAML 1.1 number reads
// them. The one shape YAML 1.2 would read as a number (`12e45`) stays quoted for js-yaml's sake.
const HEX_ID = /^[0-9][0-9a-f]*[a-f][0-9a-f]*$/;
const YAML12_EXPONENT = /^[0-9]+e[0-9]+$/;

function quoteString(s: string): string {
  if (HEX_ID.test(s) && !YAML12_EXPONENT.test(s)) return s;
  if (s !== '' && PLAIN_SAFE.test(s) && !RESERVED_WORDS.test(s) && !s.includes(': ') && !s.endsWith(':')) return s;
  if (!NEEDS_DOUBLE_QUOTES.test(s)) return `'${s.replace(/'/g, "''")}'`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function scalarText(v: YamlScalar): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  return quoteString(v);
}

function emit(map: YamlMap, indent: string, out: string[]): void {
  for (const key of Object.keys(map).sort()) {
    const v = map[key]!;
    const k = quoteString(key);
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${indent}${k}: []`);
      else {
        out.push(`${indent}${k}:`);
        for (const item of v) out.push(`${indent}- ${scalarText(item as YamlScalar)}`);
      }
    } else if (v !== null && typeof v === 'object') {
      if (Object.keys(v).length === 0) out.push(`${indent}${k}: {}`);
      else {
        out.push(`${indent}${k}:`);
        emit(v, indent + '  ', out);
      }
    } else out.push(`${indent}${k}: ${scalarText(v)}`);
  }
}

/** A map as PyYAML's `safe_dump(default_flow_style=False)` lays it out: keys sorted, one per line. */
export function dumpYaml(map: YamlMap): string {
  const out: string[] = [];
  emit(map, '', out);
  return out.join('\n') + '\n';
}

const INT = /^[-+]?(0|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** One scalar as YAML reads it, or undefined when the hand parser should not guess. */
function parseScalar(raw: string): YamlValue | undefined {
  if (raw === '' || raw === 'null' || raw === '~' || raw === 'Null' || raw === 'NULL') return null;
  const c = raw[0]!;
  if (c === "'") {
    if (raw.length < 2 || raw[raw.length - 1] !== "'") return undefined;
    const body = raw.slice(1, -1);
    // A lone quote inside means the string did not end here (or the file is odd): let js-yaml decide.
    if (body.replace(/''/g, '').includes("'")) return undefined;
    return body.replace(/''/g, "'");
  }
  if (c === '"' || c === '[' || c === '{' || c === '&' || c === '*' || c === '!' || c === '|' || c === '>' || c === '%' || c === '@' || c === '`' || c === '#') {
    if (raw === '[]') return [];
    if (raw === '{}') return {};
    return undefined;
  }
  if (raw.includes(' #') || raw.endsWith(':') || raw.includes(': ')) return undefined;
  if (INT.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (RESERVED_WORDS.test(raw) || FLOAT.test(raw) || /^[-+]?\.(inf|nan)$/i.test(raw)) return undefined;
  // Things YAML 1.1 reads as numbers or dates: let js-yaml (and a human) sort them out.
  if (/^[-+]?[0-9]/.test(raw) && /[:_]|^[-+]?0[0-7xob]|^\d{4}-\d\d?-\d\d?/.test(raw)) return undefined;
  return raw;
}

/**
 * Parse a `meta.yaml`. Handles `key: scalar` lines and one level of nested `key:` maps (experiment
 * and input tags) or `- item` lists; anything else goes to js-yaml. Returns null for an empty file
 * (MLflow retries such reads: a writer may be between truncate and write).
 */
export function parseYaml(text: string): YamlMap | null {
  const fast = parseFlat(text);
  if (fast !== undefined) return fast;
  if (!jsYaml) throw new Error('js-yaml is not loaded: call loadYamlFallback() first');
  const v = jsYaml.load(text, { schema: jsYaml.DEFAULT_SCHEMA });
  if (v === null || v === undefined) return null;
  // A scalar or a list where a map belongs: the file is not a meta file.
  if (typeof v !== 'object' || Array.isArray(v)) return null;
  return v as YamlMap;
}

function parseFlat(text: string): YamlMap | null | undefined {
  const out: YamlMap = {};
  let nested: YamlMap | YamlValue[] | null = null;
  let any = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    let j = text.indexOf('\n', i);
    if (j === -1) j = n;
    let line = text.slice(i, j);
    i = j + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || line === '---') continue;
    if (line.startsWith('  ') && nested) {
      const item = line.slice(2);
      if (Array.isArray(nested)) return undefined;
      const colon = item.indexOf(': ');
      if (colon <= 0 || item[0] === ' ' || item[0] === '-') return undefined;
      const key = parseKey(item.slice(0, colon));
      const value = parseScalar(item.slice(colon + 2));
      if (key === undefined || value === undefined || typeof value === 'object' && value !== null) return undefined;
      nested[key] = value;
      continue;
    }
    if (line.startsWith('- ') && Array.isArray(nested)) {
      const value = parseScalar(line.slice(2));
      if (value === undefined || (typeof value === 'object' && value !== null)) return undefined;
      nested.push(value);
      continue;
    }
    const c = line[0]!;
    if (c === ' ' || c === '\t' || c === '#' || c === '-' || c === '?') return undefined;
    nested = null;
    if (line.endsWith(':')) {
      const key = parseKey(line.slice(0, -1));
      if (key === undefined) return undefined;
      // Either a nested map or a list follows; decide on the next line.
      const next = text.slice(i, text.indexOf('\n', i) === -1 ? n : text.indexOf('\n', i));
      const container: YamlMap | YamlValue[] = next.startsWith('- ') ? [] : {};
      if (!next.startsWith('- ') && !next.startsWith('  ')) out[key] = null;
      else {
        out[key] = container;
        nested = container;
      }
      any = true;
      continue;
    }
    const colon = line.indexOf(': ');
    if (colon <= 0) return undefined;
    const key = parseKey(line.slice(0, colon));
    const value = parseScalar(line.slice(colon + 2));
    if (key === undefined || value === undefined) return undefined;
    out[key] = value;
    any = true;
  }
  return any ? out : null;
}

function parseKey(raw: string): string | undefined {
  const v = parseScalar(raw);
  return typeof v === 'string' ? v : undefined;
}

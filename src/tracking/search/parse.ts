/**
 * MLflow's search grammar (`SearchUtils` / `SearchExperimentsUtils` in mlflow/utils/search_utils.py),
 * parsed once into the AST of `ast.ts`. MLflow tokenizes with sqlparse; mlf has a small tokenizer
 * of its own that accepts the same language and raises MLflow's messages.
 *
 * Where MLflow reports a bad comparator only when a store evaluates the filter (and, for some
 * entity types, with no error code, i.e. as a 500), mlf reports it here, as
 * INVALID_PARAMETER_VALUE, with MLflow's wording — so every store fails the same way.
 *
 * @example
 * parseRunFilter("metrics.acc > 0.9 and params.`learning rate` = '0.1' and attributes.run_id IN ('ab12', 'cd34')")
 * // [{ type: 'metric', key: 'acc', comparator: '>', value: 0.9 }, ...]
 * parseRunOrderBy(['metrics.acc DESC', 'start_time']) // [{ type: 'metric', key: 'acc', ascending: false }, ...]
 */
import { MlfError } from '../../lib/errors.js';
import { pyRepr } from '../py-format.js';
import type { Comparator, Comparison, EntityType, Filter, OrderByClause } from './ast.js';

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');

// ---------------------------------------------------------------- tokens

type TokenKind =
  | 'ws'
  | 'ident'
  | 'string'
  | 'number'
  | 'op'
  | 'arith'
  | 'operation'
  | 'keyword'
  | 'paren'
  | 'comma'
  | 'semicolon'
  | 'other';

interface Token {
  kind: TokenKind;
  /** The source text, as MLflow shows it in messages. */
  text: string;
  /** Upper-cased text, for keywords and word comparators. */
  upper?: string;
  /** Inner tokens of a parenthesis. */
  inner?: Token[];
}

// Words sqlparse treats as keywords where MLflow's grammar cares. LIKE/ILIKE are comparison operators.
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'BETWEEN', 'TRUE', 'FALSE', 'LIKE', 'ILIKE']);

const RE_WS = /\s+/y;
// sqlparse's string forms: a doubled quote or a backslash-quote stays inside the string.
const RE_SQ = /'(?:''|\\'|[^'])*'/y;
const RE_DQ = /"(?:""|\\"|[^"])*"/y;
const RE_BT = /`(?:``|[^`])*`/y;
// sqlparse's number forms: 1, -1, 1.5, 1., .5, 1e5, 1E-5 (no `e+5`).
const RE_NUM = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]-?\d+)?(?![\p{L}\p{N}_])/uy;
const RE_ARITH = /[-+*/%^&|@#]+/y;
const RE_WORD = /[\p{L}\p{N}_$]+/uy;
const RE_OP = /[<>=~!]+/y;

function matchAt(re: RegExp, s: string, i: number): string | null {
  re.lastIndex = i;
  const m = re.exec(s);
  return m ? m[0] : null;
}

/** One identifier part: a word or a quoted name. Single quotes only after a dot (`params.'a b'`). */
function identPart(s: string, i: number, afterDot: boolean): string | null {
  return (
    matchAt(RE_WORD, s, i) ??
    matchAt(RE_DQ, s, i) ??
    matchAt(RE_BT, s, i) ??
    (afterDot ? matchAt(RE_SQ, s, i) : null)
  );
}

/** Tokenizes up to a closing parenthesis (when `nested`) or the end. Returns tokens and the end index. */
function tokenize(s: string, start: number, nested: boolean): { tokens: Token[]; end: number; closed: boolean } {
  const tokens: Token[] = [];
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    let t: string | null;
    if ((t = matchAt(RE_WS, s, i))) {
      tokens.push({ kind: 'ws', text: t });
      i += t.length;
      continue;
    }
    if (c === ')') {
      if (nested) return { tokens, end: i + 1, closed: true };
      tokens.push({ kind: 'other', text: c });
      i++;
      continue;
    }
    if (c === '(') {
      const sub = tokenize(s, i + 1, true);
      if (!sub.closed) {
        // Unbalanced: sqlparse leaves the bracket as a loose token.
        tokens.push({ kind: 'other', text: c });
        i++;
        continue;
      }
      tokens.push({ kind: 'paren', text: s.slice(i, sub.end), inner: sub.tokens });
      i = sub.end;
      continue;
    }
    if (c === ',') {
      tokens.push({ kind: 'comma', text: c });
      i++;
      continue;
    }
    if (c === ';') {
      tokens.push({ kind: 'semicolon', text: c });
      i++;
      continue;
    }
    if ((t = matchAt(RE_SQ, s, i))) {
      tokens.push({ kind: 'string', text: t });
      i += t.length;
      continue;
    }
    if ((t = matchAt(RE_NUM, s, i))) {
      tokens.push({ kind: 'number', text: t });
      i += t.length;
      continue;
    }
    if ((t = matchAt(RE_OP, s, i))) {
      tokens.push({ kind: 'op', text: t, upper: t });
      i += t.length;
      continue;
    }
    if ((t = matchAt(RE_ARITH, s, i))) {
      tokens.push({ kind: 'arith', text: t });
      i += t.length;
      continue;
    }
    const first = identPart(s, i, false);
    if (first !== null) {
      // A dotted identifier: part(.part)*, e.g. metrics.acc, params."a b", tags.`x.y`, `metrics`.m
      let j = i + first.length;
      let dotted = false;
      for (;;) {
        if (s[j] !== '.') break;
        const next = identPart(s, j + 1, true);
        if (next === null) break;
        dotted = true;
        j += 1 + next.length;
      }
      const text = s.slice(i, j);
      const upper = text.toUpperCase();
      if (!dotted && KEYWORDS.has(upper)) {
        tokens.push({ kind: upper === 'LIKE' || upper === 'ILIKE' ? 'op' : 'keyword', text, upper });
      } else {
        tokens.push({ kind: 'ident', text });
      }
      i = j;
      continue;
    }
    tokens.push({ kind: 'other', text: c });
    i++;
  }
  return { tokens, end: i, closed: false };
}

// ---------------------------------------------------------------- statements and comparisons

interface RawComparison {
  left: Token;
  op: string;
  right: Token;
}

type Item = { comparison: RawComparison; text: string } | { token: Token };

const isOperand = (t: Token | undefined) =>
  t !== undefined &&
  (t.kind === 'ident' ||
    t.kind === 'string' ||
    t.kind === 'number' ||
    t.kind === 'paren' ||
    t.kind === 'operation' ||
    t.upper === 'NULL');

/**
 * Drops whitespace and folds arithmetic (`metrics.val-loss`, `1+2`) into one operand, as sqlparse
 * groups an Operation, so MLflow's messages name the whole expression.
 */
function groupOperations(tokens: Token[]): Token[] {
  const out: Token[] = [];
  const nextSolid = (k: number) => {
    while (k < tokens.length && tokens[k]!.kind === 'ws') k++;
    return k;
  };
  for (let k = nextSolid(0); k < tokens.length; k = nextSolid(k)) {
    const t = tokens[k]!;
    let end = k + 1;
    if (isOperand(t)) {
      for (;;) {
        const opAt = nextSolid(end);
        const rhsAt = nextSolid(opAt + 1);
        if (tokens[opAt]?.kind !== 'arith' || !isOperand(tokens[rhsAt])) break;
        end = rhsAt + 1;
      }
    }
    if (end === k + 1) out.push(t);
    else out.push({ kind: 'operation', text: tokens.slice(k, end).map((x) => x.text).join('') });
    k = end;
  }
  return out;
}

/**
 * Splits a filter into statements (by `;`), groups comparisons and reports what is neither a
 * comparison nor `AND`. Returns the raw comparisons of the single statement.
 */
function splitComparisons(filter: string, quoteInvalid: boolean): RawComparison[] {
  const { tokens } = tokenize(filter, 0, false);
  // sqlparse: a `;` ends a statement; a trailing empty statement does not count.
  let statements = 1;
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k]!.kind === 'semicolon' && tokens.slice(k + 1).some((t) => t.kind !== 'ws')) statements++;
  }
  if (statements > 1) {
    throw invalid(`Search filter contained multiple expression '${filter}'. Provide AND-ed expression list.`);
  }
  const toks = groupOperations(tokens);
  const items: Item[] = [];
  for (let k = 0; k < toks.length; ) {
    const a = toks[k]!;
    const b = toks[k + 1];
    const c = toks[k + 2];
    const d = toks[k + 3];
    if (isOperand(a) && b?.kind === 'op' && isOperand(c)) {
      items.push({ comparison: { left: a, op: b.upper!, right: c! }, text: `${a.text} ${b.text} ${c!.text}` });
      k += 3;
    } else if (isOperand(a) && b?.upper === 'NOT' && (c?.upper === 'LIKE' || c?.upper === 'ILIKE') && isOperand(d)) {
      // sqlparse reads `NOT LIKE` as one comparison operator; MLflow then refuses the comparator.
      items.push({ comparison: { left: a, op: `NOT ${c.upper}`, right: d! }, text: `${a.text} NOT ${c.text} ${d!.text}` });
      k += 4;
    } else if (a.kind === 'ident' && b?.upper === 'IN' && c?.kind === 'paren') {
      items.push({ comparison: { left: a, op: 'IN', right: c }, text: `${a.text} ${b.text} ${c.text}` });
      k += 3;
    } else if (a.kind === 'ident' && b?.upper === 'NOT' && c?.upper === 'IN' && d?.kind === 'paren') {
      items.push({ comparison: { left: a, op: 'NOT IN', right: d }, text: `${a.text} NOT IN ${d.text}` });
      k += 4;
    } else {
      items.push({ token: a });
      k += 1;
    }
  }
  const invalids = items.filter((it) => 'token' in it && !(it.token.kind === 'keyword' && it.token.upper === 'AND'));
  if (invalids.length > 0) {
    const shown = invalids.map((it) => ('token' in it ? it.token.text : it.text));
    throw invalid(
      `Invalid clause(s) in filter string: ${quoteInvalid ? shown.map((x) => `'${x}'`).join(', ') : shown.join(', ')}`,
    );
  }
  const out: RawComparison[] = [];
  for (const it of items) {
    if (!('comparison' in it)) continue;
    if (it.comparison.left.kind !== 'ident') {
      throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${it.comparison.left.text}'`);
    }
    out.push(it.comparison);
  }
  return out;
}

// ---------------------------------------------------------------- identifiers and values

export const isQuoted = (v: string, q: string) => v.length >= 2 && v.startsWith(q) && v.endsWith(q);
export const trimBackticks = (v: string) => (isQuoted(v, '`') ? v.slice(1, -1) : v);

/** A quoted literal's text; `expectQuoted`: a bare word is MLflow's quoting error. */
export function stripQuotes(v: string, expectQuoted: boolean): string {
  if (isQuoted(v, "'") || isQuoted(v, '"')) return v.slice(1, -1);
  if (expectQuoted) {
    throw invalid(
      `Parameter value is either not quoted or unidentified quote types used for string value ${v}. Use either single or double quotes.`,
    );
  }
  return v;
}

/** Python's `str.islower()`: some cased character and no upper/title-case one. */
function pyIsLower(s: string): boolean {
  return !/[\p{Lu}\p{Lt}]/u.test(s) && /\p{Ll}/u.test(s);
}

/** Unescapes the body of a Python string literal (what `ast.literal_eval` does to list items). */
function pyUnquote(text: string): string {
  // 'a''b' is two adjacent literals to Python: 'a' 'b' → "ab".
  const body = text.slice(1, -1).replace(/''/g, '');
  return body.replace(/\\(.)/gs, (_m, ch: string) =>
    ch === 'n' ? '\n' : ch === 't' ? '\t' : ch === 'r' ? '\r' : ch === '0' ? '\0' : ch,
  );
}

const ILL_FORMED = 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.';

/** MLflow's `_parse_run_ids`: a parenthesised list of single-quoted strings, lower-case ones kept. */
function parseStringList(paren: Token): string[] {
  const inner = paren.inner!.filter((t) => t.kind !== 'ws');
  if (inner.length === 0) {
    throw invalid('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  }
  if (inner.length === 1 && inner[0]!.kind !== 'string') throw invalid(ILL_FORMED);
  if (inner.length > 1) {
    if (inner.some((t) => t.kind !== 'string' && t.kind !== 'comma')) {
      throw invalid(
        `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${paren.text}`,
      );
    }
    // Strings and commas must alternate, string first and last (sqlparse makes no list of `('a',)`).
    if (inner.length % 2 === 0) throw invalid(ILL_FORMED);
    for (let k = 0; k < inner.length; k++) {
      if ((k % 2 === 0) !== (inner[k]!.kind === 'string')) throw invalid(ILL_FORMED);
    }
  }
  // MySQL's IN ignores case and run ids are lower-case, so MLflow drops anything else (also for
  // dataset lists, which go through the same code).
  return inner.filter((t) => t.kind === 'string').map((t) => pyUnquote(t.text)).filter(pyIsLower);
}

function setRepr(items: readonly string[]): string {
  return `{${items.map((x) => `'${x}'`).join(', ')}}`;
}

// Python prints sets in hash order, which changes between processes; mlf uses one fixed order.
const METRIC_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='] as const;
const PARAM_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE'] as const;
const TAG_COMPARATORS = PARAM_COMPARATORS;
const STRING_ATTRIBUTE_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'] as const;
const DATASET_COMPARATORS = STRING_ATTRIBUTE_COMPARATORS;

const RUN_SEARCHABLE_ATTRIBUTES = ['artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id'];
const RUN_SEARCH_ATTRIBUTE_KEYS = [...RUN_SEARCHABLE_ATTRIBUTES, 'created', 'Created', 'run name', 'Run name', 'Run Name'];
const RUN_ORDER_BY_ATTRIBUTE_KEYS = [...RUN_SEARCHABLE_ATTRIBUTES, 'created', 'Created'];
const RUN_NUMERIC_ATTRIBUTES = new Set(['start_time', 'end_time', 'created', 'Created']);
const DATASET_KEYS = ['name', 'digest', 'context'];
const RUN_IDENTIFIERS = ['metric', 'parameter', 'tag', 'attribute', 'dataset'];

const ENTITY_ALIASES: Record<string, EntityType> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attr: 'attribute',
  attributes: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** MLflow's name for an entity type in messages (`parameter`, not `param`). */
const MLFLOW_TYPE_NAME: Record<EntityType, string> = {
  metric: 'metric',
  param: 'parameter',
  tag: 'tag',
  attribute: 'attribute',
  dataset: 'dataset',
};

/** `SearchUtils.translate_key_alias`. */
export function translateKeyAlias(key: string): string {
  if (key === 'created' || key === 'Created') return 'start_time';
  if (key === 'run name' || key === 'Run name' || key === 'Run Name') return 'run_name';
  return key;
}

function splitIdentifier(identifier: string): { entity: string | null; key: string } {
  const dot = identifier.indexOf('.');
  return dot < 0 ? { entity: null, key: identifier } : { entity: identifier.slice(0, dot), key: identifier.slice(dot + 1) };
}

function runEntityType(raw: string): EntityType {
  const e = trimBackticks(raw);
  const t = ENTITY_ALIASES[e];
  if (!t) throw invalid(`Invalid entity type '${e}'. Valid values are ${pyRepr(RUN_IDENTIFIERS)}`);
  return t;
}

/** `SearchUtils._get_identifier`: entity type and raw (unaliased) key. */
function runIdentifier(identifier: string, validAttributes: readonly string[]): { type: EntityType; key: string } {
  const { entity, key: rawKey } = splitIdentifier(identifier);
  const type = entity === null ? 'attribute' : runEntityType(entity);
  const key = trimBackticks(stripQuotes(rawKey, false));
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${setRepr(validAttributes)}'`);
  }
  if (type === 'dataset' && !DATASET_KEYS.includes(key)) {
    throw invalid(`Invalid dataset key '${key}' specified. Valid keys are '${setRepr(DATASET_KEYS)}'`);
  }
  return { type, key };
}

function numberValue(t: Token): number {
  return Number(t.text);
}

/** `SearchUtils._get_value` for runs. */
function runValue(type: EntityType, key: string, t: Token): number | string | string[] {
  const isStringish = t.kind === 'string' || t.kind === 'ident';
  switch (type) {
    case 'metric':
      if (t.kind !== 'number') throw invalid(`Expected numeric value type for metric. Found ${t.text}`);
      return numberValue(t);
    case 'param':
    case 'tag':
      if (isStringish) return stripQuotes(t.text, true);
      throw invalid(
        `Expected a quoted string value for ${MLFLOW_TYPE_NAME[type]} (e.g. 'my-value'). Got value ${t.text}`,
      );
    case 'attribute':
      if (RUN_NUMERIC_ATTRIBUTES.has(key)) {
        if (t.kind !== 'number') throw invalid(`Expected numeric value type for numeric attribute: ${key}. Found ${t.text}`);
        return numberValue(t);
      }
      if (isStringish) return stripQuotes(t.text, true);
      if (t.kind === 'paren') {
        if (key !== 'run_id') {
          throw invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
        }
        return parseStringList(t);
      }
      throw invalid(`Expected a quoted string value for attributes. Got value ${t.text}`);
    case 'dataset':
      if (isStringish) return stripQuotes(t.text, true);
      if (t.kind === 'paren') return parseStringList(t);
      throw invalid(`Expected a quoted string value for dataset attributes. Got value ${t.text}`);
  }
}

function checkComparator(c: string, allowed: readonly string[], closingQuote: boolean, shown: readonly string[] = allowed): void {
  if (!allowed.includes(c)) {
    throw invalid(`Invalid comparator '${c}' not one of '${setRepr(shown)}${closingQuote ? "'" : ''}`);
  }
}

/** MLflow's per-entity comparator rules (`is_metric`, `is_param`, ...), with their exact wording. */
function checkRunComparator(type: EntityType, key: string, c: string): void {
  switch (type) {
    case 'metric':
      return checkComparator(c, METRIC_COMPARATORS, false);
    case 'param':
      return checkComparator(c, PARAM_COMPARATORS, true);
    case 'tag':
      return checkComparator(c, TAG_COMPARATORS, false);
    case 'dataset':
      return checkComparator(c, DATASET_COMPARATORS, false);
    case 'attribute':
      // MLflow's numeric-attribute message lists the string comparators; kept as MLflow words it.
      return RUN_NUMERIC_ATTRIBUTES.has(key)
        ? checkComparator(c, METRIC_COMPARATORS, false, STRING_ATTRIBUTE_COMPARATORS)
        : checkComparator(c, STRING_ATTRIBUTE_COMPARATORS, true);
  }
}

function checkListComparator(c: Comparator, value: number | string | string[], rightText: string): void {
  const isList = Array.isArray(value);
  const wantsList = c === 'IN' || c === 'NOT IN';
  if (isList && !wantsList) {
    // MLflow hands the list to SQL and fails there; mlf refuses it up front.
    throw invalid(`Expected a quoted string value for attributes. Got value ${rightText}`);
  }
}

/**
 * Parses a `search_runs` filter. Empty or absent means no filter. Keys of attributes are folded
 * (`created` → `start_time`, `Run name` → `run_name`); comparators are upper-cased.
 */
export function parseRunFilter(filter?: string): Filter {
  if (!filter) return [];
  const raw = splitComparisons(filter, true);
  // MLflow parses every clause before it checks any comparator; keep that order of errors.
  const parsed = raw.map((r) => {
    const { type, key } = runIdentifier(r.left.text, RUN_SEARCH_ATTRIBUTE_KEYS);
    const value = runValue(type, key, r.right);
    return { r, type, key, value };
  });
  return parsed.map(({ r, type, key, value }) => {
    checkRunComparator(type, key, r.op);
    const comparator = r.op as Comparator;
    checkListComparator(comparator, value, r.right.text);
    const finalKey = type === 'attribute' ? translateKeyAlias(key) : key;
    return { type, key: finalKey, comparator, value } satisfies Comparison;
  });
}

// ---------------------------------------------------------------- experiments

const EXPERIMENT_SEARCH_ATTRIBUTE_KEYS = ['name', 'creation_time', 'last_update_time'];
const EXPERIMENT_ORDER_BY_ATTRIBUTE_KEYS = ['name', 'experiment_id', 'creation_time', 'last_update_time'];
const EXPERIMENT_NUMERIC_ATTRIBUTES = new Set(['creation_time', 'last_update_time']);
const EXPERIMENT_ENTITY_TYPES = ['attribute', 'tag', 'tags'];

/** `SearchExperimentsUtils._get_identifier`: only `attribute`, `tag` and `tags` prefixes. */
function experimentIdentifier(identifier: string, validAttributes: readonly string[]): { type: 'attribute' | 'tag'; key: string } {
  const { entity, key: rawKey } = splitIdentifier(identifier);
  let type: 'attribute' | 'tag' = 'attribute';
  if (entity !== null) {
    if (!EXPERIMENT_ENTITY_TYPES.includes(entity)) {
      throw invalid(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  const key = trimBackticks(stripQuotes(rawKey, false));
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${setRepr(validAttributes)}'`);
  }
  return { type, key };
}

function experimentValue(type: 'attribute' | 'tag', key: string, t: Token): number | string {
  const isStringish = t.kind === 'string' || t.kind === 'ident';
  if (type === 'tag') {
    if (isStringish) return stripQuotes(t.text, true);
    throw invalid(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${t.text}`);
  }
  if (EXPERIMENT_NUMERIC_ATTRIBUTES.has(key)) {
    if (t.kind !== 'number') throw invalid(`Expected numeric value type for numeric attribute: ${key}. Found ${t.text}`);
    return numberValue(t);
  }
  if (isStringish) return stripQuotes(t.text, true);
  if (t.kind === 'paren') {
    throw invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  }
  throw invalid(`Expected a quoted string value for attributes. Got value ${t.text}`);
}

/**
 * Parses a `search_experiments` filter: attributes `name`, `creation_time`, `last_update_time`
 * and `tags.<key>`. Comparator errors use the SQL store's wording.
 */
export function parseExperimentFilter(filter?: string): Filter {
  if (!filter) return [];
  const raw = splitComparisons(filter, false);
  const parsed = raw.map((r) => {
    const { type, key } = experimentIdentifier(r.left.text, EXPERIMENT_SEARCH_ATTRIBUTE_KEYS);
    return { r, type, key, value: experimentValue(type, key, r.right) };
  });
  return parsed.map(({ r, type, key, value }) => {
    const c = r.op;
    if (type === 'tag') {
      if (!(TAG_COMPARATORS as readonly string[]).includes(c)) throw invalid(`Invalid comparator for tag: ${c}`);
    } else if (EXPERIMENT_NUMERIC_ATTRIBUTES.has(key)) {
      checkComparator(c, METRIC_COMPARATORS, false, STRING_ATTRIBUTE_COMPARATORS);
    } else {
      checkComparator(c, STRING_ATTRIBUTE_COMPARATORS, true);
      if (c === 'IN' || c === 'NOT IN') throw invalid(`Invalid comparator for string attribute: ${c}`);
    }
    return { type, key, comparator: c as Comparator, value } satisfies Comparison;
  });
}

// ---------------------------------------------------------------- order_by

/**
 * `_parse_order_by_string`: `<identifier> [ASC|DESC]`. Returns the identifier text without
 * quotes around its parts (as MLflow's shlex pass leaves it) and the direction.
 */
function parseOrderByString(clause: string): { identifier: string; ascending: boolean } {
  const cannotParse = () => invalid(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  if (typeof clause !== 'string') throw cannotParse();
  const toks = tokenize(clause, 0, false).tokens.filter((t) => t.kind !== 'ws');
  if (toks.length === 0 || toks.length > 2 || toks[0]!.kind !== 'ident') throw cannotParse();
  let ascending = true;
  if (toks.length === 2) {
    const dir = toks[1]!;
    if (dir.kind !== 'ident' && dir.kind !== 'keyword') throw cannotParse();
    const d = dir.text.toLowerCase();
    if (d !== 'asc' && d !== 'desc') throw invalid(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = d === 'asc';
  }
  return { identifier: toks[0]!.text, ascending };
}

/**
 * Parses `search_runs` `order_by`: each item `<entity>.<key> [ASC|DESC]`; attribute aliases
 * folded. Dataset keys are not orderable; a field named twice is refused.
 */
export function parseRunOrderBy(orderBy?: string[]): OrderByClause[] {
  if (!orderBy || orderBy.length === 0) return [];
  const seen = new Set<string>();
  return orderBy.map((clause) => {
    const { identifier, ascending } = parseOrderByString(clause);
    const { type, key: rawKey } = runIdentifier(identifier, RUN_ORDER_BY_ATTRIBUTE_KEYS);
    if (type === 'dataset') throw invalid(`Invalid identifier type '${type}'`);
    const key = type === 'attribute' ? translateKeyAlias(rawKey) : rawKey;
    const id = `${type}\u0000${key}`;
    if (seen.has(id)) throw invalid(`\`order_by\` contains duplicate fields: ${pyRepr(orderBy)}`);
    seen.add(id);
    return { type, key, ascending };
  });
}

/** Parses `search_experiments` `order_by`: `experiment_id`, `name`, `creation_time`, `last_update_time`. */
export function parseExperimentOrderBy(orderBy?: string[]): OrderByClause[] {
  if (!orderBy || orderBy.length === 0) return [];
  return orderBy.map((clause) => {
    const { identifier, ascending } = parseOrderByString(clause);
    const { type, key } = experimentIdentifier(identifier, EXPERIMENT_ORDER_BY_ATTRIBUTE_KEYS);
    if (type !== 'attribute') throw invalid(`Invalid order_by entity: ${type}`);
    return { type, key, ascending };
  });
}

// ---------------------------------------------------------------- LIKE

const likeCache = new Map<string, RegExp>();

/**
 * A SQL LIKE pattern as a RegExp matching the whole string: `%` any run of characters, `_` one
 * character, `\` escapes the next character (PostgreSQL's and MySQL's default escape; the SQL
 * store passes `ESCAPE '\'` on SQLite and SQL Server so every store agrees). Regex
 * metacharacters are literal — MLflow's file store forgets to escape them, so `.` there matches
 * anything; mlf matches what SQL matches.
 */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const cacheKey = (caseInsensitive ? 'i' : 's') + pattern;
  const hit = likeCache.get(cacheKey);
  if (hit) return hit;
  let src = '^';
  const chars = [...pattern];
  for (let k = 0; k < chars.length; k++) {
    const ch = chars[k]!;
    if (ch === '\\' && k + 1 < chars.length) {
      src += escapeRegExp(chars[++k]!);
    } else if (ch === '%') {
      src += '[\\s\\S]*';
    } else if (ch === '_') {
      src += '[\\s\\S]';
    } else {
      src += escapeRegExp(ch);
    }
  }
  const re = new RegExp(src + '$', caseInsensitive ? 'iu' : 'u');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(cacheKey, re);
  return re;
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? '\\' + ch : ch;
}

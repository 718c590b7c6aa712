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
import { parseOrderByString, parseStringList, setRepr, splitComparisons } from './grammar.js';
import type { Token } from './tokenize.js';

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');

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

/** sqlparse finds no statement in a filter of only whitespace, and MLflow refuses it as unparsable. */
function refuseBlank(filter: string): void {
  if (/^\s+$/.test(filter)) throw invalid(`Invalid filter '${filter}'. Could not be parsed.`);
}

/**
 * Parses a `search_runs` filter. Empty or absent means no filter (whitespace alone is refused, as
 * MLflow refuses it). Keys of attributes are folded
 * (`created` → `start_time`, `Run name` → `run_name`); comparators are upper-cased.
 */
export function parseRunFilter(filter?: string): Filter {
  if (!filter) return [];
  refuseBlank(filter);
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
  refuseBlank(filter);
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

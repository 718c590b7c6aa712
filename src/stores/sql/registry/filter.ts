/**
 * The registry's search grammar (MLflow's `SearchModelUtils` and `SearchModelVersionUtils`) parsed
 * into comparisons, with MLflow's messages, and compiled to SQL for every dialect.
 *
 * Registered models: `name` and `tags.<key>` with =, !=, LIKE, ILIKE. Model versions: `name`,
 * `run_id` (also `IN ('a', 'b')`), `source_path` with =, !=, LIKE, ILIKE; `version_number` with
 * numeric comparators; `tags.<key>`. Clauses are AND-ed. A tag comparison matches a row that has
 * the tag (MLflow's inner join): all comparisons on one key must hold for that one tag row.
 *
 * MLflow checks comparators only when its SQL store builds the query (after the whole filter is
 * parsed); mlf keeps that order of errors.
 */
import { sql, type RawBuilder } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import { pyRepr } from '../../../tracking/py-format.js';
import { stripQuotes, trimBackticks } from '../../../tracking/search/parse.js';
import { parseStringList, setRepr, splitComparisons } from '../../../tracking/search/grammar.js';
import type { SqlDialect } from '../dialects/dialect.js';
import { integerComparison } from '../search-sql.js';

type Sql = RawBuilder<unknown>;

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');

export interface RegistryComparison {
  type: 'attribute' | 'tag';
  key: string;
  comparator: string;
  value: string | number | string[];
}

export interface RegistryOrderBy {
  column: string;
  ascending: boolean;
}

// ---------------------------------------------------------------- identifiers and values

function identifier(text: string, validAttributes: readonly string[]): { type: 'attribute' | 'tag'; key: string } {
  const dot = text.indexOf('.');
  let type: 'attribute' | 'tag' = 'attribute';
  let key = text;
  if (dot !== -1) {
    const entity = text.slice(0, dot);
    key = text.slice(dot + 1);
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags') {
      throw invalid(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw invalid(`Invalid attribute key '${key}' specified. Valid keys are '${setRepr(validAttributes)}'`);
  }
  return { type, key: trimBackticks(stripQuotes(key, false)) };
}

// ---------------------------------------------------------------- registered models

const MODEL_SEARCH_KEYS = ['name'];
const NAME_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'];

/** `SearchModelUtils.parse_search_filter` plus the SQL store's comparator checks. */
export function parseRegisteredModelFilter(filter?: string): RegistryComparison[] {
  if (!filter) return [];
  const parsed = splitComparisons(filter, false).map((c) => {
    const { type, key } = identifier(c.left.text, MODEL_SEARCH_KEYS);
    const r = c.right;
    let value: string;
    if (r.kind === 'string' || r.kind === 'ident') value = stripQuotes(r.text, true);
    else if (type === 'tag') {
      throw invalid(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${r.text}`);
    } else if (r.kind === 'paren') {
      throw invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    } else {
      throw invalid(`Expected a quoted string value or a list of quoted string values for attributes. Got value ${r.text}`);
    }
    return { type, key, comparator: c.op, value } as RegistryComparison;
  });
  for (const c of parsed) {
    if (!NAME_COMPARATORS.includes(c.comparator)) {
      throw invalid(c.type === 'tag' ? `Invalid comparator for tag: ${c.comparator}` : `Invalid comparator for attribute: ${c.comparator}`);
    }
  }
  return parsed;
}

function orderByString(clause: string): { token: string; ascending: boolean } {
  const m = typeof clause === 'string' ? /^\s*(\S+)(?:\s+(\S+))?\s*$/.exec(clause) : null;
  if (!m) throw invalid(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  let ascending = true;
  if (m[2] !== undefined) {
    const d = m[2].toLowerCase();
    if (d !== 'asc' && d !== 'desc') throw invalid(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = d === 'asc';
  }
  return { token: m[1]!, ascending };
}

/** `_parse_search_registered_models_order_by`: name, timestamp / last_updated_timestamp; then `name ASC`. */
export function parseRegisteredModelOrderBy(orderBy?: string[]): RegistryOrderBy[] {
  const out: RegistryOrderBy[] = [];
  const seen = new Set<string>();
  for (const clause of orderBy ?? []) {
    const { token, ascending } = orderByString(clause);
    let column: string;
    if (token === 'name') column = 'name';
    else if (token === 'timestamp' || token === 'last_updated_timestamp') column = 'last_updated_time';
    else throw invalid(`Invalid order by key '${token}' specified. Valid keys are '${setRepr(['name', 'timestamp'])}'`);
    // MLflow raises this one without an error code: a 500.
    if (seen.has(column)) throw new MlfError(`\`order_by\` contains duplicate fields: ${pyRepr(orderBy)}`, 'INTERNAL_ERROR');
    seen.add(column);
    out.push({ column, ascending });
  }
  if (!seen.has('name')) out.push({ column: 'name', ascending: true });
  return out;
}

// ---------------------------------------------------------------- model versions

const VERSION_SEARCH_KEYS = ['name', 'version_number', 'run_id', 'source_path'];
const VERSION_NUMERIC_KEYS = ['version_number', 'creation_timestamp', 'last_updated_timestamp'];
const VERSION_ORDER_KEYS = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'];
const NUMERIC_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='];
const VERSION_STRING_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN'];

/** `SearchModelVersionUtils.parse_search_filter` plus the SQL store's comparator checks. */
export function parseModelVersionFilter(filter?: string): RegistryComparison[] {
  if (!filter) return [];
  const parsed = splitComparisons(filter, false).map((c) => {
    const { type, key } = identifier(c.left.text, VERSION_SEARCH_KEYS);
    const r = c.right;
    let value: string | number | string[];
    if (r.kind === 'string' || r.kind === 'ident') value = stripQuotes(r.text, true);
    else if (type === 'tag') {
      throw invalid(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${r.text}`);
    } else if (r.kind === 'paren') {
      if (key !== 'run_id') throw invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
      value = parseStringList(r);
    } else if (r.kind === 'number') {
      if (!VERSION_NUMERIC_KEYS.includes(key)) {
        throw invalid(`Only the '${setRepr(VERSION_NUMERIC_KEYS)}' attributes support comparison with numeric values.`);
      }
      value = Number(r.text);
    } else {
      throw invalid(`Expected a quoted string value or a list of quoted string values for attributes. Got value ${r.text}`);
    }
    return { type, key, comparator: c.op, value } as RegistryComparison;
  });
  for (const c of parsed) {
    if (c.type === 'tag') {
      if (!NAME_COMPARATORS.includes(c.comparator)) throw invalid(`Invalid comparator for tag: ${c.comparator}`);
    } else if (VERSION_NUMERIC_KEYS.includes(c.key)) {
      if (!NUMERIC_COMPARATORS.includes(c.comparator)) throw invalid(`Invalid comparator for attribute ${c.key}: ${c.comparator}`);
      const n = Number(c.value);
      // A quoted number is compared as a number, as the database would coerce it.
      if (Array.isArray(c.value) || !Number.isFinite(n) || c.value === '') {
        throw invalid(`Expected numeric value type for numeric attribute: ${c.key}. Found ${String(c.value)}`);
      }
      c.value = n;
    } else if (!VERSION_STRING_COMPARATORS.includes(c.comparator) || (c.comparator === 'IN' && c.key !== 'run_id')) {
      throw invalid(`Invalid comparator for attribute: ${c.comparator}`);
    } else if (Array.isArray(c.value) !== (c.comparator === 'IN')) {
      // `run_id = ('a')` or `run_id IN 'a'`: MLflow fails in SQL; mlf says what is wrong.
      throw invalid(`Invalid comparator for attribute: ${c.comparator}`);
    }
  }
  return parsed;
}

const VERSION_ORDER_COLUMNS: Record<string, string> = {
  name: 'name',
  version_number: 'version',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
};

/** `_parse_search_model_versions_order_by`; default order `last_updated_timestamp DESC, name ASC, version_number DESC`. */
export function parseModelVersionOrderBy(orderBy?: string[]): RegistryOrderBy[] {
  const list = orderBy && orderBy.length ? orderBy : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];
  const out: RegistryOrderBy[] = [];
  const seen = new Set<string>();
  for (const clause of list) {
    const { token, ascending } = orderByString(clause);
    const { key } = identifier(token, VERSION_ORDER_KEYS);
    const column = VERSION_ORDER_COLUMNS[key];
    if (!column) throw invalid(`Invalid order by key '${key}' specified. Valid keys are ${setRepr(VERSION_ORDER_KEYS)}`);
    if (seen.has(column)) throw new MlfError(`\`order_by\` contains duplicate fields: ${pyRepr(list)}`, 'INTERNAL_ERROR');
    seen.add(column);
    out.push({ column, ascending });
  }
  if (!seen.has('name')) out.push({ column: 'name', ascending: true });
  if (!seen.has('version')) out.push({ column: 'version', ascending: false });
  return out;
}

// ---------------------------------------------------------------- SQL

function stringComparison(d: SqlDialect, column: Sql, comparator: string, value: string | number | string[]): Sql {
  switch (comparator) {
    case '=':
      return d.eqCaseSensitive(column, String(value));
    case '!=':
      return sql`not (${d.eqCaseSensitive(column, String(value))})`;
    case 'LIKE':
      return d.likeCaseSensitive(column, String(value));
    case 'ILIKE':
      return d.ilike(column, String(value));
    case 'IN': {
      // MLflow's plain IN: the values are lower-case run ids already.
      const list = value as string[];
      return list.length ? sql`${column} in (${sql.join(list)})` : sql`1 = 0`;
    }
    default:
      throw invalid(`Invalid comparator for attribute: ${comparator}`);
  }
}

/** Tag comparisons grouped by key: one EXISTS per key, all of that key's conditions on the same tag row. */
function tagConditions(d: SqlDialect, filters: RegistryComparison[], exists: (key: string, conds: Sql[]) => Sql): Sql[] {
  const byKey = new Map<string, Sql[]>();
  for (const f of filters) {
    if (f.type !== 'tag') continue;
    let conds = byKey.get(f.key);
    if (!conds) byKey.set(f.key, (conds = []));
    conds.push(stringComparison(d, sql.ref('t.value'), f.comparator, f.value));
  }
  return [...byKey].map(([key, conds]) => exists(key, conds));
}

/** WHERE conditions on `registered_models` for a parsed filter. */
export function registeredModelConditions(d: SqlDialect, filters: RegistryComparison[]): Sql[] {
  const out: Sql[] = filters
    .filter((f) => f.type === 'attribute')
    .map((f) => stringComparison(d, sql.ref('registered_models.name'), f.comparator, f.value));
  out.push(
    ...tagConditions(
      d,
      filters,
      (key, conds) =>
        sql`exists (select 1 from registered_model_tags t where t.name = registered_models.name and ${d.eqCaseSensitive(sql.ref('t.key'), key)} and ${sql.join(conds, sql` and `)})`,
    ),
  );
  return out;
}

const VERSION_FILTER_COLUMNS: Record<string, string> = {
  name: 'model_versions.name',
  run_id: 'model_versions.run_id',
  source_path: 'model_versions.source',
  version_number: 'model_versions.version',
};

/** WHERE conditions on `model_versions` for a parsed filter (deleted versions are excluded by the caller). */
export function modelVersionConditions(d: SqlDialect, filters: RegistryComparison[]): Sql[] {
  const out: Sql[] = [];
  for (const f of filters) {
    if (f.type !== 'attribute') continue;
    const col = sql.ref(VERSION_FILTER_COLUMNS[f.key]!);
    out.push(
      f.key === 'version_number'
        ? integerComparison(col, f.comparator, f.value as number)
        : stringComparison(d, col, f.comparator, f.value),
    );
  }
  out.push(
    ...tagConditions(
      d,
      filters,
      (key, conds) =>
        sql`exists (select 1 from model_version_tags t where t.name = model_versions.name and t.version = model_versions.version and ${d.eqCaseSensitive(sql.ref('t.key'), key)} and ${sql.join(conds, sql` and `)})`,
    ),
  );
  return out;
}

/** ORDER BY terms on `table` (columns are never null here). */
export function orderByTerms(table: string, orderBy: RegistryOrderBy[]): Sql[] {
  return orderBy.map((o) => sql`${sql.ref(`${table}.${o.column}`)} ${sql.raw(o.ascending ? 'asc' : 'desc')}`);
}

/**
 * MLflow's trace search grammar (`SearchTraceUtils`, 2.17): `attribute.`/`trace.` keys
 * (`request_id`, `timestamp[_ms]`, `execution_time[_ms]`, `status`, and `name` / `run_id`, which
 * read the tag `mlflow.traceName` and the metadata `mlflow.sourceRun`), `tag(s).<key>` and
 * `request_metadata.`/`metadata.<key>`. Tags and metadata compare with `=` and `!=` only (MLflow
 * leaves LIKE out for speed); string attributes also take `IN` / `NOT IN`. MLflow 3's search
 * (`spans: true`) adds `span.name`, `span.type` and `span.status`, compared with `=` and `!=`
 * against any span of the trace (its store's span subquery).
 */
import { MlfError } from '../../lib/errors.js';
import { MLFLOW_SOURCE_RUN, MLFLOW_TRACE_NAME } from '../traces.js';
import { parseOrderByString, pyUnquote, setRepr, splitComparisons } from './grammar.js';
import { stripQuotes, trimBackticks } from './parse.js';

export type TraceColumn = 'request_id' | 'timestamp_ms' | 'execution_time_ms' | 'status' | 'experiment_id';

export type SpanColumn = 'name' | 'type' | 'status';

export type TraceKey = { type: 'attribute'; column: TraceColumn } | { type: 'tag' | 'metadata'; key: string } | { type: 'span'; column: SpanColumn };

/** `byRun`: the comparison came from `run_id`, which MLflow 3's SQL store also matches against trace→run links. */
export type TraceComparison = TraceKey & { op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'NOT IN'; value: string | number | string[]; byRun?: true };

export type TraceOrderBy = Exclude<TraceKey, { type: 'span' }> & { ascending: boolean };
const SPAN_COLUMNS: readonly string[] = ['name', 'type', 'status'];

const invalid = (m: string) => new MlfError(m, 'INVALID_PARAMETER_VALUE');

const SEARCH_ATTRIBUTES = ['request_id', 'timestamp', 'timestamp_ms', 'execution_time', 'execution_time_ms', 'status', 'name', 'run_id'];
const ORDER_ATTRIBUTES = ['experiment_id', ...SEARCH_ATTRIBUTES];
const NUMERIC = new Set(['timestamp', 'timestamp_ms', 'execution_time', 'execution_time_ms']);
const IDENTIFIERS: Record<string, 'attribute' | 'tag' | 'metadata'> = {
  attribute: 'attribute',
  attributes: 'attribute',
  trace: 'attribute',
  tag: 'tag',
  tags: 'tag',
  request_metadata: 'metadata',
  metadata: 'metadata',
};
const NUMERIC_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='];
const STRING_COMPARATORS = ['!=', '=', 'IN', 'NOT IN'];
const TAG_COMPARATORS = ['!=', '='];

/** An identifier's entity and key, with `name` and `run_id` mapped to the tag/metadata they read. */
function traceKey(identifier: string, valid: readonly string[]): { key: TraceKey; attr?: string } {
  const dot = identifier.indexOf('.');
  const entity = dot < 0 ? 'attribute' : IDENTIFIERS[trimBackticks(identifier.slice(0, dot))];
  if (!entity) {
    throw invalid(`Invalid entity type '${identifier.slice(0, dot)}'. Valid values are ['${Object.keys(IDENTIFIERS).join("', '")}']`);
  }
  const name = trimBackticks(stripQuotes(dot < 0 ? identifier : identifier.slice(dot + 1), false));
  if (entity !== 'attribute') return { key: { type: entity, key: name } };
  if (!valid.includes(name)) throw invalid(`Invalid attribute key '${name}' specified. Valid keys are '${setRepr(valid)}'`);
  if (name === 'name') return { key: { type: 'tag', key: MLFLOW_TRACE_NAME }, attr: name };
  if (name === 'run_id') return { key: { type: 'metadata', key: MLFLOW_SOURCE_RUN }, attr: name };
  const column = (name === 'timestamp' ? 'timestamp_ms' : name === 'execution_time' ? 'execution_time_ms' : name) as TraceColumn;
  return { key: { type: 'attribute', column }, attr: name };
}

/** `span.<column>` as a key, or undefined for any other identifier. */
function spanKey(identifier: string): { type: 'span'; column: SpanColumn } | undefined {
  const dot = identifier.indexOf('.');
  if (dot < 0 || trimBackticks(identifier.slice(0, dot)) !== 'span') return undefined;
  const column = trimBackticks(stripQuotes(identifier.slice(dot + 1), false));
  if (!SPAN_COLUMNS.includes(column)) throw invalid(`Invalid span key '${column}' specified. Valid keys are '${setRepr(SPAN_COLUMNS)}'`);
  return { type: 'span', column: column as SpanColumn };
}

/** Parses a trace filter; empty or absent means no filter. `spans` allows MLflow 3's span keys. */
export function parseTraceFilter(filter?: string, spans = false): TraceComparison[] {
  if (!filter || !filter.trim()) return [];
  return splitComparisons(filter, true).map(({ left, op, right }) => {
    const c = op.toUpperCase().replace(/\s+/g, ' ');
    const span = spans ? spanKey(left.text) : undefined;
    if (span) {
      if (!TAG_COMPARATORS.includes(c)) throw invalid(`Invalid comparator '${c}' not one of '${setRepr(TAG_COMPARATORS)}'`);
      if (right.kind !== 'string' && right.kind !== 'ident') throw invalid(`Expected a quoted string value for span.${span.column} (e.g. 'my-value'). Got value ${right.text}`);
      return { ...span, op: c as TraceComparison['op'], value: stripQuotes(right.text, true) };
    }
    const { key, attr } = traceKey(left.text, SEARCH_ATTRIBUTES);
    const numeric = attr !== undefined && NUMERIC.has(attr);
    const allowed = numeric ? NUMERIC_COMPARATORS : attr !== undefined ? STRING_COMPARATORS : TAG_COMPARATORS;
    if (!allowed.includes(c)) throw invalid(`Invalid comparator '${c}' not one of '${setRepr(allowed)}'`);
    let value: string | number | string[];
    if (numeric) {
      if (right.kind !== 'number') throw invalid(`Expected numeric value type for numeric attribute: ${attr}. Found ${right.text}`);
      value = Number(right.text);
    } else if (c === 'IN' || c === 'NOT IN') {
      if (right.kind !== 'paren') throw invalid(`Expected a list of quoted string values for ${c}. Got value ${right.text}`);
      // Not grammar's run-id list reader: that one drops upper-case items, and statuses are upper-case.
      const items = right.inner!.filter((t) => t.kind !== 'ws' && t.kind !== 'comma');
      if (!items.length || items.some((t) => t.kind !== 'string')) {
        throw invalid(`While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.`);
      }
      value = items.map((t) => pyUnquote(t.text));
    } else if (right.kind === 'string' || right.kind === 'ident') {
      value = stripQuotes(right.text, true);
    } else {
      throw invalid(`Expected a quoted string value for ${attr ?? key.type} (e.g. 'my-value'). Got value ${right.text}`);
    }
    return { ...key, op: c as TraceComparison['op'], value, ...(attr === 'run_id' ? { byRun: true as const } : {}) };
  });
}

/** Parses `order_by` items (`timestamp_ms DESC`, `tags.x`, ...). */
export function parseTraceOrderBy(orderBy?: string[]): TraceOrderBy[] {
  return (orderBy ?? []).map((clause) => {
    const { identifier, ascending } = parseOrderByString(clause);
    return { ...(traceKey(identifier, ORDER_ATTRIBUTES).key as TraceOrderBy), ascending };
  });
}

/**
 * In-memory evaluation of parsed trace filters and order_by clauses (the file store's search), with
 * the SQL store's semantics so that both stores return the same traces in the same order:
 * - a trace lacking the key (tag, metadata, or `execution_time_ms` while in progress) never
 *   matches, whatever the comparator (`!=` and `NOT IN` included, as SQL's NULL does);
 * - string comparisons are case-sensitive;
 * - ordering puts traces lacking the value last in either direction, then breaks ties by
 *   `timestamp_ms DESC, request_id ASC`; experiment ids sort as numbers, strings by code unit.
 *
 * Where MLflow's file store differs, mlf follows its SQL store: MLflow's file store refuses
 * `order_by` on tags and metadata (`name`, `tags.x`) and fails on in-progress traces ordered by
 * execution time.
 *
 * @example
 * const filter = parseTraceFilter("status = 'OK'");
 * const hits = infos.filter((t) => traceMatches(t, filter)).sort(compareTraces(parseTraceOrderBy(['timestamp_ms ASC'])));
 */
import type { TraceInfo } from '../traces.js';
import type { TraceComparison, TraceKey, TraceOrderBy } from './traces.js';

type Value = string | number | null;

function valueOf(t: TraceInfo, key: TraceKey): Value {
  if (key.type === 'span') return null; // span keys are MLflow 3's, searched only where spans are stored
  if (key.type !== 'attribute') return (key.type === 'tag' ? t.tags : t.requestMetadata)[key.key] ?? null;
  switch (key.column) {
    case 'request_id':
      return t.requestId;
    case 'timestamp_ms':
      return t.timestampMs;
    case 'execution_time_ms':
      return t.executionTimeMs;
    case 'status':
      return t.status;
    case 'experiment_id':
      return /^\d+$/.test(t.experimentId) ? Number(t.experimentId) : t.experimentId;
  }
}

/** Does the trace satisfy every comparison? */
export function traceMatches(t: TraceInfo, filter: TraceComparison[]): boolean {
  return filter.every((c) => {
    const lhs = valueOf(t, c);
    if (lhs === null) return false;
    const v = c.value;
    switch (c.op) {
      case 'IN':
        return Array.isArray(v) && v.includes(String(lhs));
      case 'NOT IN':
        return Array.isArray(v) && !v.includes(String(lhs));
      case '=':
        return lhs === v;
      case '!=':
        return lhs !== v;
      case '<':
        return lhs < v;
      case '<=':
        return lhs <= v;
      case '>':
        return lhs > v;
      case '>=':
        return lhs >= v;
    }
  });
}

function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A comparator for `Array.sort`: the clauses in order, missing values last, then MLflow's tie-breakers. */
export function compareTraces(orderBy: TraceOrderBy[]): (a: TraceInfo, b: TraceInfo) => number {
  return (a, b) => {
    for (const o of orderBy) {
      const x = valueOf(a, o);
      const y = valueOf(b, o);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const c = compareValues(x, y);
      if (c !== 0) return o.ascending ? c : -c;
    }
    return b.timestampMs - a.timestampMs || compareValues(a.requestId, b.requestId);
  };
}

/**
 * In-memory evaluation of parsed search filters and order_by clauses: what the file store does
 * for `search_runs` / `search_experiments`, and the reference the SQL store is tested against.
 *
 * Semantics are MLflow's SQL store's, chosen so that every store returns the same rows in the same
 * order:
 * - a run lacking the key (metric, param, tag, end_time, ...) never matches a comparison;
 * - metric filters compare the latest value; NaN follows IEEE rules (only `!=` matches it);
 * - `=`, `!=`, `LIKE` are case-sensitive, `ILIKE` is not;
 * - ordering puts rows with a value first, then NaN metrics, then rows lacking the value,
 *   whichever the direction (MLflow's SQL store sorts by a CASE column first; its file store
 *   differs for DESC, mlf does not);
 * - strings sort by UTF-16 code units (a binary collation).
 *
 * @example
 * const filter = parseRunFilter("metrics.acc > 0.9");
 * const page = paginate(runs.filter((r) => runMatches(r, filter)).sort(compareRuns(parseRunOrderBy(orderBy))), 100, token);
 */
import { MLFLOW_DATASET_CONTEXT, type Experiment, type PagedList, type Run } from '../entities.js';
import type { Comparison, Filter, OrderByClause } from './ast.js';
import { likeToRegExp } from './parse.js';
import { decodePageToken, encodePageToken } from './page-token.js';

function compareNumbers(lhs: number, comparator: Comparison['comparator'], rhs: number): boolean {
  switch (comparator) {
    case '=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    case '>=':
      return lhs >= rhs;
    default:
      return false;
  }
}

function compareStrings(lhs: string, comparator: Comparison['comparator'], rhs: Comparison['value']): boolean {
  switch (comparator) {
    case '=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case 'LIKE':
      return likeToRegExp(String(rhs), false).test(lhs);
    case 'ILIKE':
      return likeToRegExp(String(rhs), true).test(lhs);
    case 'IN':
      return Array.isArray(rhs) && rhs.includes(lhs);
    case 'NOT IN':
      return Array.isArray(rhs) && !rhs.includes(lhs);
    default:
      return false;
  }
}

/** Compares a present-or-missing value; missing never matches. */
function matchValue(lhs: string | number | null | undefined, c: Comparison): boolean {
  if (lhs === null || lhs === undefined) return false;
  if (typeof lhs === 'number') return typeof c.value === 'number' && compareNumbers(lhs, c.comparator, c.value);
  return compareStrings(lhs, c.comparator, c.value);
}

function byKey<T extends { key: string }>(items: readonly T[], key: string): T | undefined {
  for (const it of items) if (it.key === key) return it;
  return undefined;
}

function runAttribute(run: Run, key: string): string | number | null {
  const info = run.info;
  switch (key) {
    case 'run_id':
      return info.runId;
    case 'run_name':
      return info.runName;
    case 'user_id':
      return info.userId;
    case 'status':
      return info.status;
    case 'start_time':
      return info.startTime;
    case 'end_time':
      return info.endTime;
    case 'artifact_uri':
      return info.artifactUri;
    case 'lifecycle_stage':
      return info.lifecycleStage;
    case 'experiment_id':
      return info.experimentId;
    default:
      return null;
  }
}

function matchesClause(run: Run, c: Comparison): boolean {
  switch (c.type) {
    case 'metric':
      return matchValue(byKey(run.data.metrics, c.key)?.value, c);
    case 'param':
      return matchValue(byKey(run.data.params, c.key)?.value, c);
    case 'tag':
      return matchValue(byKey(run.data.tags, c.key)?.value, c);
    case 'attribute':
      return matchValue(runAttribute(run, c.key), c);
    case 'dataset': {
      const inputs = run.inputs?.datasetInputs ?? [];
      if (c.key === 'context') {
        return inputs.some((di) => di.tags.some((t) => t.key === MLFLOW_DATASET_CONTEXT && matchValue(t.value, c)));
      }
      const field = c.key === 'name' ? 'name' : 'digest';
      return inputs.some((di) => matchValue(di.dataset[field], c));
    }
  }
}

/** Does the run pass every comparison of the (AND-ed) filter? */
export function runMatches(run: Run, filter: Filter): boolean {
  for (const c of filter) if (!matchesClause(run, c)) return false;
  return true;
}

function experimentAttribute(exp: Experiment, key: string): string | number | null {
  switch (key) {
    case 'name':
      return exp.name;
    case 'creation_time':
      return exp.creationTime;
    case 'last_update_time':
      return exp.lastUpdateTime;
    case 'experiment_id':
      return exp.experimentId;
    default:
      return null;
  }
}

/** Does the experiment pass every comparison of the filter? An experiment lacking a tag never matches it. */
export function experimentMatches(exp: Experiment, filter: Filter): boolean {
  for (const c of filter) {
    const lhs = c.type === 'tag' ? byKey(exp.tags, c.key)?.value : experimentAttribute(exp, c.key);
    if (!matchValue(lhs, c)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- ordering

/** 0: has a value, 1: NaN, 2: missing — placed in that order whatever the direction. */
type SortKey = { rank: 0 | 1 | 2; v: number | string };
const MISSING: SortKey = { rank: 2, v: 0 };

function sortKey(v: string | number | null | undefined): SortKey {
  if (v === null || v === undefined) return MISSING;
  if (typeof v === 'number' && Number.isNaN(v)) return { rank: 1, v: 0 };
  return { rank: 0, v };
}

function cmpRaw(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpKeys(a: SortKey, b: SortKey, ascending: boolean): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank !== 0) return 0;
  const c = cmpRaw(a.v, b.v);
  return ascending ? c : -c;
}

function runSortValue(run: Run, clause: OrderByClause): string | number | null | undefined {
  switch (clause.type) {
    case 'metric':
      return byKey(run.data.metrics, clause.key)?.value;
    case 'param':
      return byKey(run.data.params, clause.key)?.value;
    case 'tag':
      return byKey(run.data.tags, clause.key)?.value;
    case 'attribute':
      return runAttribute(run, clause.key);
  }
}

/**
 * A comparator for `Array.prototype.sort` implementing the order clauses, then MLflow's tie-break:
 * `start_time DESC` (unless start_time was ordered on) and `run_id ASC`.
 */
export function compareRuns(orderBy: OrderByClause[]): (a: Run, b: Run) => number {
  const clauses = [...orderBy];
  if (!clauses.some((c) => c.type === 'attribute' && c.key === 'start_time')) {
    clauses.push({ type: 'attribute', key: 'start_time', ascending: false });
  }
  clauses.push({ type: 'attribute', key: 'run_id', ascending: true });
  return (a, b) => {
    for (const c of clauses) {
      const r = cmpKeys(sortKey(runSortValue(a, c)), sortKey(runSortValue(b, c)), c.ascending);
      if (r !== 0) return r;
    }
    return 0;
  };
}

/** Experiment ids compare as integers (SQL ids are integers; file-store ids are 18-digit numbers). */
function compareIds(a: string, b: string): number {
  const da = /^\d+$/.test(a);
  const db = /^\d+$/.test(b);
  if (da && db) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
    return cmpRaw(x, y);
  }
  if (da !== db) return da ? -1 : 1;
  return cmpRaw(a, b);
}

/**
 * A comparator for experiments. No clauses: `creation_time DESC, experiment_id ASC` (MLflow's
 * default). Otherwise the clauses, then `experiment_id DESC` unless it was ordered on (MLflow's
 * tie-breaker). Missing times sort last either way.
 */
export function compareExperiments(orderBy: OrderByClause[]): (a: Experiment, b: Experiment) => number {
  const clauses: OrderByClause[] =
    orderBy.length === 0
      ? [
          { type: 'attribute', key: 'creation_time', ascending: false },
          { type: 'attribute', key: 'experiment_id', ascending: true },
        ]
      : [...orderBy];
  if (!clauses.some((c) => c.key === 'experiment_id')) {
    clauses.push({ type: 'attribute', key: 'experiment_id', ascending: false });
  }
  return (a, b) => {
    for (const c of clauses) {
      let r: number;
      if (c.key === 'experiment_id') {
        r = compareIds(a.experimentId, b.experimentId);
        if (!c.ascending) r = -r;
      } else {
        r = cmpKeys(sortKey(experimentAttribute(a, c.key)), sortKey(experimentAttribute(b, c.key)), c.ascending);
      }
      if (r !== 0) return r;
    }
    return 0;
  };
}

/**
 * One page of an already filtered and sorted list. The next-page token is set only when more rows
 * remain after this page.
 */
export function paginate<T>(sorted: T[], maxResults: number, pageToken?: string): PagedList<T> {
  const start = decodePageToken(pageToken);
  const end = start + maxResults;
  const items = sorted.slice(start, end);
  return end < sorted.length ? { items, nextPageToken: encodePageToken(end) } : { items };
}

/**
 * MLflow 3's logged-model search grammar (`search_logged_model_utils.parse_filter_string`):
 * comparisons joined by AND, each on an attribute (`name`, `creation_timestamp_ms`, ...; the
 * aliases `creation_time`, `creation_timestamp`, `last_updated_timestamp`), `metrics.<name>`,
 * `params.<key>` or `tags.<key>`. Numeric entities take `= != < <= > >=`; strings `= != LIKE ILIKE`.
 * Grouping and tokens come from the shared tokenizer.
 */
import { MlfError } from '../../lib/errors.js';
import type { PagedList } from '../entities.js';
import { SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT, type DatasetFilter, type LoggedModelOrderBy, type SearchLoggedModelsOptions } from '../logged-models.js';
import { splitComparisons } from './grammar.js';

export type LoggedModelEntity = 'attribute' | 'metric' | 'param' | 'tag';

export interface LoggedModelComparison {
  entity: LoggedModelEntity;
  /** Attribute: the `logged_models` column (aliases resolved); otherwise the metric/param/tag key. */
  key: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE';
  value: string | number;
}

/** The columns of `logged_models` a filter or order_by may name. */
export const LOGGED_MODEL_ATTRIBUTES = new Set([
  'model_id',
  'experiment_id',
  'name',
  'artifact_location',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
  'status',
  'lifecycle_stage',
  'model_type',
  'source_run_id',
  'status_message',
]);
const ALIASES: Record<string, string> = {
  creation_time: 'creation_timestamp_ms',
  creation_timestamp: 'creation_timestamp_ms',
  last_updated_timestamp: 'last_updated_timestamp_ms',
};
const NUMERIC_ATTRIBUTES = new Set(['creation_timestamp_ms', 'last_updated_timestamp_ms']);
const NUMERIC_OPS = ['<', '<=', '>', '>=', '=', '!='];
const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE'];
const ENTITIES: Record<string, LoggedModelEntity> = { attributes: 'attribute', metrics: 'metric', params: 'param', tags: 'tag' };

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');
const stripBackticks = (s: string) => s.replace(/^`+|`+$/g, '');

/** An attribute name with aliases resolved. */
export function loggedModelAttribute(name: string): string {
  return ALIASES[name] ?? name;
}

function entityOf(identifier: string): { entity: LoggedModelEntity; key: string } {
  const m = /^([a-z]+)\.(.+)$/s.exec(identifier);
  if (m) {
    const entity = ENTITIES[m[1]!];
    if (!entity) throw invalid(`Invalid entity type: '${m[1]}'. Expected one of ['attributes', 'metrics', 'params', 'tags'].`);
    const key = stripBackticks(m[2]!);
    return { entity, key: entity === 'attribute' ? loggedModelAttribute(key) : key };
  }
  return { entity: 'attribute', key: stripBackticks(loggedModelAttribute(identifier)) };
}

export function parseLoggedModelFilter(filter?: string): LoggedModelComparison[] {
  if (!filter || !filter.trim()) return [];
  return splitComparisons(filter, true).map((c) => {
    const { entity, key } = entityOf(c.left.text);
    if (entity === 'attribute' && !LOGGED_MODEL_ATTRIBUTES.has(key)) throw invalid(`Invalid attribute key '${key}' specified.`);
    const numeric = entity === 'metric' || (entity === 'attribute' && NUMERIC_ATTRIBUTES.has(key));
    const ops = numeric ? NUMERIC_OPS : STRING_OPS;
    if (!ops.includes(c.op)) {
      throw invalid(`Invalid comparison operator for ${entity === 'attribute' ? 'attributes' : entity + 's'}.${key}: '${c.op}'. Expected one of ${JSON.stringify(ops)}.`);
    }
    let value: string | number;
    if (numeric) {
      value = Number(c.right.text);
      if (c.right.kind !== 'number' || !Number.isFinite(value)) throw invalid(`Invalid numeric value '${c.right.text}' for ${c.left.text}.`);
    } else {
      value = c.right.text.replace(/^'+|'+$/g, ''); // MLflow's value.strip("'")
    }
    return { entity, key, op: c.op as LoggedModelComparison['op'], value };
  });
}

/**
 * MLflow's `SearchLoggedModelsPaginationToken`: base64 of `{experiment_ids, filter_string, order_by,
 * offset}`. A token only continues the query it came from.
 */
export interface LoggedModelPageQuery {
  experimentIds: string[];
  filter?: string;
  orderBy?: unknown[];
}

export function encodeLoggedModelPageToken(q: LoggedModelPageQuery, offset: number): string {
  const body = { experiment_ids: q.experimentIds, filter_string: q.filter || null, order_by: q.orderBy?.length ? q.orderBy : null, offset };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

/** The offset a token resumes at; INVALID_PARAMETER_VALUE for garbage or a token of another query. */
export function decodeLoggedModelPageToken(token: string, q: LoggedModelPageQuery): number {
  let t: Record<string, unknown>;
  try {
    t = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new Error('not an object');
  } catch (e) {
    throw invalid(`Invalid page token: ${token}. ${(e as Error).message}`);
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(t.experiment_ids, q.experimentIds)) throw invalid('Experiment IDs in the page token do not match the requested experiment IDs.');
  if (!same(t.filter_string || null, q.filter || null)) throw invalid('Filter string in the page token does not match the requested filter string.');
  if (!same(t.order_by || null, q.orderBy?.length ? q.orderBy : null)) throw invalid('Order by in the page token does not match the requested order by.');
  const offset = t.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw invalid(`Invalid page token: ${token}.`);
  return offset;
}

/** A logged-model search as every store takes it: checked, its filter parsed, its page located. */
export interface LoggedModelSearch {
  datasets: DatasetFilter[];
  maxResults: number;
  comparisons: LoggedModelComparison[];
  orderBy: LoggedModelOrderBy[];
  offset: number;
  /** `items` as the page, with a token for the next one when `more` follow. */
  page<T>(items: T[], more: boolean): PagedList<T>;
}

/** MLflow's checks of a search request (datasets, max_results, filter, order fields, page token), in its order. */
export function checkLoggedModelSearch(opts: SearchLoggedModelsOptions): LoggedModelSearch {
  const datasets = opts.datasets ?? [];
  if (datasets.some((d) => !d.datasetName)) throw invalid('`dataset_name` in the `datasets` clause must be specified.');
  const maxResults = opts.maxResults || SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT;
  if (maxResults < 1) throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
  const comparisons = parseLoggedModelFilter(opts.filter);
  const orderBy = opts.orderBy ?? [];
  for (const o of orderBy) {
    if (!o.fieldName.includes('.')) {
      if (!LOGGED_MODEL_ATTRIBUTES.has(loggedModelAttribute(o.fieldName))) throw invalid(`Invalid order by field name: ${o.fieldName}`);
    } else if (!o.fieldName.startsWith('metrics.')) throw invalid(`Invalid order by field name: ${o.fieldName}. Only metrics are supported.`);
  }
  const tokenOrderBy = opts.orderBy?.map((o) => ({ field_name: o.fieldName, ascending: o.ascending, dataset_name: o.datasetName ?? null, dataset_digest: o.datasetDigest ?? null }));
  const pageQuery = { experimentIds: opts.experimentIds, filter: opts.filter, orderBy: tokenOrderBy };
  const offset = opts.pageToken ? decodeLoggedModelPageToken(opts.pageToken, pageQuery) : 0;
  return {
    datasets,
    maxResults,
    comparisons,
    orderBy,
    offset,
    page: (items, more) => (more ? { items, nextPageToken: encodeLoggedModelPageToken(pageQuery, offset + maxResults) } : { items }),
  };
}

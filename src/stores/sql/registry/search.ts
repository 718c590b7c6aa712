/** search_registered_models and search_model_versions in the SQL registry: parse once (./filter.ts), one paged query. */
import { sql, type RawBuilder } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import type { PagedList } from '../../../tracking/entities.js';
import { decodePageToken, encodePageToken } from '../../../tracking/search/index.js';
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  STAGE_DELETED_INTERNAL,
  type ModelVersion,
  type RegisteredModel,
  type SearchRegistryOptions,
} from '../../registry-store.js';
import { pagingClause } from '../search-sql.js';
import type { RegistryExecutor } from './executor.js';
import {
  modelVersionConditions,
  orderByTerms,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  registeredModelConditions,
} from './filter.js';
import { VERSION_COLUMNS, models, versionsWithTags } from './hydrate.js';

/** MLflow's upper bound on a registry search's max_results (the same words for models and versions). */
function checkAtMost(maxResults: number, threshold: number): void {
  if (maxResults > threshold) {
    throw new MlfError(
      `Invalid value for request parameter max_results. It must be at most ${threshold}, but got value ${maxResults}`,
      'INVALID_PARAMETER_VALUE',
    );
  }
}

export async function searchRegisteredModels(x: RegistryExecutor, opts: SearchRegistryOptions = {}): Promise<PagedList<RegisteredModel>> {
  const maxResults = opts.maxResults ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT;
  checkAtMost(maxResults, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD);
  const conds = registeredModelConditions(x.d, parseRegisteredModelFilter(opts.filter));
  const order = orderByTerms('registered_models', parseRegisteredModelOrderBy(opts.orderBy));
  const offset = decodePageToken(opts.pageToken);
  // One row more than asked tells whether there is a next page (MLflow's way, and its token).
  const limit = Math.max(0, maxResults + 1);
  return x.guard(async () => {
    let q = x.db.selectFrom('registered_models').select(['name', 'creation_time', 'last_updated_time', 'description']);
    for (const c of conds) q = q.where(() => c as RawBuilder<boolean>);
    const rows = await q.orderBy(sql.join(order)).modifyEnd(pagingClause(x.d, limit, offset)).execute();
    const page = rows.slice(0, Math.max(0, maxResults));
    return { items: await models(x.db, page), nextPageToken: rows.length === limit ? encodePageToken(offset + maxResults) : undefined };
  });
}

export async function searchModelVersions(x: RegistryExecutor, opts: SearchRegistryOptions = {}): Promise<PagedList<ModelVersion>> {
  const maxResults = opts.maxResults ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT;
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw new MlfError(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`, 'INVALID_PARAMETER_VALUE');
  }
  checkAtMost(maxResults, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD);
  const conds = modelVersionConditions(x.d, parseModelVersionFilter(opts.filter));
  const order = orderByTerms('model_versions', parseModelVersionOrderBy(opts.orderBy));
  const offset = decodePageToken(opts.pageToken);
  const limit = maxResults + 1;
  return x.guard(async () => {
    let q = x.db
      .selectFrom('model_versions')
      .select(VERSION_COLUMNS.map((c) => `model_versions.${c}` as const))
      .where('model_versions.current_stage', '<>', STAGE_DELETED_INTERNAL);
    for (const c of conds) q = q.where(() => c as RawBuilder<boolean>);
    const rows = await q.orderBy(sql.join(order)).modifyEnd(pagingClause(x.d, limit, offset)).execute();
    return {
      items: await versionsWithTags(x.db, rows.slice(0, maxResults)),
      nextPageToken: rows.length === limit ? encodePageToken(offset + maxResults) : undefined,
    };
  });
}

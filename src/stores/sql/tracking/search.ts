/** search_experiments and search_runs in the SQL tracking store: parse once, compile to one paged query (see ../search-sql.ts). */
import { sql } from 'kysely';
import type { Experiment, LifecycleStage, PagedList, Run, ViewType } from '../../../tracking/entities.js';
import {
  decodePageToken,
  encodePageToken,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from '../../../tracking/search/index.js';
import { validateMaxResults } from '../../../tracking/validation.js';
import type { SearchExperimentsOptions, SearchRunsOptions } from '../../tracking-store.js';
import { EXPERIMENT_COLUMNS, RUN_COLUMN_NAMES, RUN_COLUMNS, runInfoFromValues, sqlExperimentId, type ExperimentRow } from '../rows.js';
import { experimentFilterConditions, experimentOrderBy, pagingClause, joinOrderRows, runFilterConditions, runOrderBy } from '../search-sql.js';
import type { SqlExecutor } from './executor.js';
import { inWorkspace, toExperiments } from './experiments.js';
import { schemaFeaturesOf } from './schema-features.js';
import { hydrate } from './hydrate.js';

function lifecycleStagesFor(view: ViewType = 'ACTIVE_ONLY'): LifecycleStage[] {
  return view === 'ALL' ? ['active', 'deleted'] : view === 'DELETED_ONLY' ? ['deleted'] : ['active'];
}

export async function searchExperiments(x: SqlExecutor, opts: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> {
  const maxResults = validateMaxResults(opts.maxResults, { default: 1000, max: 50000 });
  const filter = parseExperimentFilter(opts.filter);
  const orderBy = parseExperimentOrderBy(opts.orderBy);
  const offset = decodePageToken(opts.pageToken);
  const { workspace } = await schemaFeaturesOf(x);
  return x.read(async (db) => {
    let q = inWorkspace(
      db.selectFrom('experiments').select(EXPERIMENT_COLUMNS).where('experiments.lifecycle_stage', 'in', lifecycleStagesFor(opts.viewType)),
      workspace,
    );
    for (const cond of experimentFilterConditions(x.dialect, filter)) q = q.where(cond as never);
    const order = experimentOrderBy(orderBy);
    const rows = await x.runCompiled<ExperimentRow>(
      q.orderBy(sql.join(order)).modifyEnd(pagingClause(x.dialect, maxResults + 1, offset)).compile(),
    );
    const more = rows.length > maxResults;
    const items = await toExperiments(db, rows.slice(0, maxResults));
    return more ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
  });
}

export async function searchRuns(x: SqlExecutor, opts: SearchRunsOptions): Promise<PagedList<Run>> {
  const maxResults = validateMaxResults(opts.maxResults, { default: 1000, max: 50000 });
  const filter = parseRunFilter(opts.filter);
  const orderBy = parseRunOrderBy(opts.orderBy);
  const offset = decodePageToken(opts.pageToken);
  const expIds = (opts.experimentIds ?? []).map((e) => sqlExperimentId(String(e))).filter((e): e is number => e !== null);
  if (expIds.length === 0) return { items: [] };
  return x.read(async (db) => {
    let q = db
      .selectFrom('runs')
      .select(RUN_COLUMNS)
      .where('runs.experiment_id', 'in', expIds)
      .where('runs.lifecycle_stage', 'in', lifecycleStagesFor(opts.viewType));
    q = joinOrderRows(q, x.dialect, orderBy);
    for (const cond of runFilterConditions(x.dialect, filter, orderBy)) q = q.where(cond as never);
    const rows = await x.runCompiledValues(
      q.orderBy(sql.join(runOrderBy(x.dialect, orderBy))).modifyEnd(pagingClause(x.dialect, maxResults + 1, offset)).compile(),
      RUN_COLUMN_NAMES,
    );
    const more = rows.length > maxResults;
    const items = await hydrate(x, db, rows.slice(0, maxResults).map(runInfoFromValues));
    return more ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
  });
}

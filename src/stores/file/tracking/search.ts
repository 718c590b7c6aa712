/**
 * search_experiments and search_runs in the file store, evaluated in memory with the shared
 * grammar (src/tracking/search/). A run search reads only the files its filter and order name.
 */
import path from 'node:path';
import { stageMatchesView, type Experiment, type PagedList, type Run } from '../../../tracking/entities.js';
import type { Comparison, OrderByClause } from '../../../tracking/search/ast.js';
import {
  compareExperiments,
  compareRuns,
  experimentMatches,
  paginate,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  runMatches,
} from '../../../tracking/search/index.js';
import { validateExperimentId, validateKeyName, validateMaxResults } from '../../../tracking/validation.js';
import type { SearchExperimentsOptions, SearchRunsOptions } from '../../tracking-store.js';
import { readText } from '../fs-io.js';
import { META } from '../layout.js';
import type { FileExecutor, RunLocation } from './executor.js';
import { allExperiments, locateExperiment } from './experiments.js';
import { addToPartialRun, loadRun, partialRun, type SearchNeeds } from './hydrate.js';
import { parseRunMeta, runDirs } from './runs.js';

export async function searchExperiments(f: FileExecutor, opts: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> {
  const maxResults = validateMaxResults(opts.maxResults);
  const filter = parseExperimentFilter(opts.filter);
  const orderBy = parseExperimentOrderBy(opts.orderBy);
  const view = opts.viewType ?? 'ACTIVE_ONLY';
  const matched = allExperiments(f, view)
    .map((x) => x.exp)
    .filter((e) => stageMatchesView(e.lifecycleStage, view) && experimentMatches(e, filter));
  matched.sort(compareExperiments(orderBy));
  return paginate(matched, maxResults, opts.pageToken);
}

export async function searchRuns(f: FileExecutor, opts: SearchRunsOptions): Promise<PagedList<Run>> {
  const maxResults = validateMaxResults(opts.maxResults);
  const filter = parseRunFilter(opts.filter);
  const orderBy = parseRunOrderBy(opts.orderBy);
  const view = opts.viewType ?? 'ACTIVE_ONLY';
  const filterNeeds = searchNeeds(filter, []);
  const orderNeeds = searchNeeds([], orderBy, filterNeeds);
  const experimentIds = (opts.experimentIds ?? []).map((id) => validateExperimentId(id));

  // Partial runs: meta plus only the values the filter and order look at.
  const candidates: { run: Run; loc: RunLocation }[] = [];
  for (const expId of new Set(experimentIds)) {
    const expLoc = locateExperiment(f, expId);
    if (!expLoc) continue;
    for (const dir of runDirs(f, expLoc)) {
      const text = readText(dir + path.sep + META);
      if (text === undefined) continue;
      // A run whose lifecycle cannot match is skipped before parsing (line-anchored, so no
      // quoted value can fake it; anything unusual is decided by the parsed meta below).
      if (view === 'ACTIVE_ONLY' && hasLine(text, 'lifecycle_stage: deleted')) continue;
      if (view === 'DELETED_ONLY' && hasLine(text, 'lifecycle_stage: active')) continue;
      const info = parseRunMeta(text, (e) => f.reportCorrupt(dir + path.sep + META, e));
      if (!info) continue;
      if (info.experimentId !== expId || !stageMatchesView(info.lifecycleStage, view)) continue;
      const loc: RunLocation = { runId: info.runId, experimentId: expId, experimentDir: expLoc.dir, dir };
      const run = partialRun(f, loc, info, filterNeeds);
      if (filter.length > 0 && !runMatches(run, filter)) continue;
      addToPartialRun(f, run, loc, orderNeeds);
      candidates.push({ run, loc });
    }
  }
  const cmp = compareRuns(orderBy);
  candidates.sort((a, b) => cmp(a.run, b.run));
  const page = paginate(candidates, maxResults, opts.pageToken);
  return {
    items: page.items.map(({ run, loc }) => {
      delete loc.readable;
      f.runLocations.set(run.info.runId, loc);
      return loadRun(f, loc, run.info);
    }),
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  };
}

function hasLine(text: string, line: string): boolean {
  return text.startsWith(line + '\n') || text.includes('\n' + line + '\n');
}

/**
 * The metric, param and tag files (and whether inputs) a filter and order read, minus what `have`
 * already holds. Keys that are not valid key names cannot exist as files and are left out (they
 * simply never match), so a filter string never becomes an arbitrary path.
 */
function searchNeeds(filter: Comparison[], orderBy: OrderByClause[], have?: SearchNeeds): SearchNeeds {
  const needs: SearchNeeds = { metrics: new Set(), params: new Set(), tags: new Set(), inputs: false };
  const add = (type: string, key: string) => {
    if (type === 'dataset') {
      needs.inputs = !have?.inputs;
      return;
    }
    if (type !== 'metric' && type !== 'param' && type !== 'tag') return;
    const set = type === 'metric' ? needs.metrics : type === 'param' ? needs.params : needs.tags;
    const had = type === 'metric' ? have?.metrics : type === 'param' ? have?.params : have?.tags;
    if (had?.has(key) || !isFileKey(key)) return;
    set.add(key);
  };
  // `run_name` is read from meta.yaml (kept equal to the `mlflow.runName` tag); `dataset.context`
  // is an input tag, carried by the inputs.
  for (const c of filter) add(c.type, c.key);
  for (const o of orderBy) add(o.type, o.key);
  return needs;
}

function isFileKey(key: string): boolean {
  try {
    validateKeyName(key, 'param');
    return true;
  } catch {
    return false;
  }
}

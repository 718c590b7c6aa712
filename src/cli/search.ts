/**
 * `mlf runs list` and `mlf experiments list`: resolve which experiments, search with MLflow's
 * grammar, follow pages on request, and shape rows for tables and CSV.
 */
import { MlfError } from '../lib/errors.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import type { Experiment, PagedList, Run, ViewType } from '../tracking/entities.js';
import { collectPages, pages } from '../tracking/pages.js';

export interface SearchArgs<T = unknown> {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  /** Follow every page (`maxResults` is then the page size). */
  all?: boolean;
  view?: ViewType;
  /**
   * Called with each page as it arrives; the result then holds no items (for streams, so
   * `--all --json-lines` never holds every run in memory).
   */
  onPage?: (items: T[]) => void;
}

export interface RunSearchArgs extends SearchArgs<Run> {
  experimentIds?: string[];
  experimentNames?: string[];
  env?: NodeJS.ProcessEnv;
}

/** `--view active_only` → `ACTIVE_ONLY`. */
export function viewType(v: string | undefined): ViewType {
  const up = (v ?? 'active_only').toUpperCase();
  if (up === 'ACTIVE_ONLY' || up === 'DELETED_ONLY' || up === 'ALL') return up;
  throw new MlfError(`Invalid view '${v}': expected active_only, deleted_only or all`, 'INVALID_PARAMETER_VALUE');
}

/**
 * Experiment ids from ids and names (each name must exist; each id must exist, so a typo is an
 * error rather than an empty list). Neither given: `MLFLOW_EXPERIMENT_NAME`, then
 * `MLFLOW_EXPERIMENT_ID`, then the Default experiment "0", as MLflow picks one.
 */
export async function resolveExperimentIds(
  store: TrackingStore,
  ids: string[] = [],
  names: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  if (ids.length === 0 && names.length === 0) {
    if (env.MLFLOW_EXPERIMENT_NAME) names = [env.MLFLOW_EXPERIMENT_NAME];
    else ids = [env.MLFLOW_EXPERIMENT_ID || '0'];
  }
  const out: string[] = [];
  for (const id of ids) out.push((await store.getExperiment(id)).experimentId);
  for (const name of names) {
    const e = await store.getExperimentByName(name);
    if (!e) throw new MlfError(`Could not find experiment with name '${name}'`, 'RESOURCE_DOES_NOT_EXIST');
    out.push(e.experimentId);
  }
  return [...new Set(out)];
}

/** One page, or every page with `all`. */
async function collect<T>(fetch: (token?: string) => Promise<PagedList<T>>, a: SearchArgs<T>): Promise<PagedList<T>> {
  const onPage = a.onPage;
  if (!onPage) return collectPages(fetch, a);
  let last: string | undefined;
  for await (const page of pages(fetch, a.pageToken)) {
    onPage(page.items);
    last = page.nextPageToken;
    if (!a.all) break;
  }
  return { items: [], nextPageToken: a.all ? undefined : last };
}

export interface RunSearchResult {
  experimentIds: string[];
  runs: Run[];
  nextPageToken?: string;
}

export async function searchRunsForCli(store: TrackingStore, a: RunSearchArgs): Promise<RunSearchResult> {
  const experimentIds = await resolveExperimentIds(store, a.experimentIds, a.experimentNames, a.env);
  const page = await collect(
    (pageToken) =>
      store.searchRuns({
        experimentIds,
        filter: a.filter,
        orderBy: a.orderBy,
        maxResults: a.maxResults,
        viewType: a.view,
        pageToken,
      }),
    a,
  );
  return { experimentIds, runs: page.items, nextPageToken: page.nextPageToken };
}

export async function searchExperimentsForCli(store: TrackingStore, a: SearchArgs<Experiment>): Promise<PagedList<Experiment>> {
  return collect(
    (pageToken) =>
      store.searchExperiments({ filter: a.filter, orderBy: a.orderBy, maxResults: a.maxResults, viewType: a.view, pageToken }),
    a,
  );
}

// ---- columns ----

export interface DataColumn {
  /** As the user wrote it, e.g. `metrics.loss`; the column header. */
  name: string;
  kind: 'metric' | 'param' | 'tag';
  key: string;
}

const PREFIXES: Record<string, DataColumn['kind']> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
};

/**
 * `metrics.loss`, `params.lr`, `tags.team` (MLflow's entity prefixes and their aliases); `metrics.*`,
 * `params.*`, `tags.*` stand for every key of that kind (see {@link expandColumns}).
 */
export function parseColumn(name: string): DataColumn {
  const dot = name.indexOf('.');
  const kind = dot > 0 ? PREFIXES[name.slice(0, dot)] : undefined;
  const key = name.slice(dot + 1).replace(/^`(.*)`$|^"(.*)"$/, '$1$2');
  if (!kind || key === '') {
    throw new MlfError(`Invalid column '${name}': expected metrics.KEY, params.KEY or tags.KEY (or metrics.*, params.*, tags.*)`, 'INVALID_PARAMETER_VALUE');
  }
  return { name, kind, key };
}

const KIND_PREFIX: Record<DataColumn['kind'], string> = { metric: 'metrics', param: 'params', tag: 'tags' };

/**
 * Columns with each wildcard (`metrics.*`) replaced by every key of its kind that the runs have,
 * sorted; a column already named explicitly is not repeated.
 */
export function expandColumns(columns: DataColumn[], runs: Run[]): DataColumn[] {
  const out: DataColumn[] = [];
  const seen = new Set<string>();
  const add = (c: DataColumn) => {
    const id = `${c.kind}\0${c.key}`;
    if (!seen.has(id)) seen.add(id), out.push(c);
  };
  for (const c of columns) if (c.key !== '*') seen.add(`${c.kind}\0${c.key}`);
  for (const c of columns) {
    if (c.key !== '*') {
      out.push(c);
      continue;
    }
    const keys = new Set<string>();
    for (const r of runs) {
      const list = c.kind === 'metric' ? r.data.metrics : c.kind === 'param' ? r.data.params : r.data.tags;
      for (const x of list) keys.add(x.key);
    }
    for (const key of [...keys].sort()) add({ name: `${KIND_PREFIX[c.kind]}.${key}`, kind: c.kind, key });
  }
  return out;
}

/** The value of a data column for a run: the latest metric value, the param, the tag; undefined if absent. */
export function columnValue(run: Run, c: DataColumn): number | string | undefined {
  const list = c.kind === 'metric' ? run.data.metrics : c.kind === 'param' ? run.data.params : run.data.tags;
  return list.find((x) => x.key === c.key)?.value;
}

/**
 * MLflow's get-history-bulk-interval sampling, shared by every store: the steps logged by all the
 * runs are sampled evenly (at most `maxResults`), and each run's first and last step in range are
 * always kept, so charts show every run's end points.
 */
import { MlfError } from '../lib/errors.js';
import type { BulkIntervalOptions } from './tracking-store.js';

export const MAX_RESULTS_PER_RUN = 2500;
export const MAX_RUNS_GET_METRIC_HISTORY_BULK = 100;

/** Marks options checked by {@link validateBulkInterval}, holding the run ids they were checked with. */
const CHECKED = Symbol('bulk interval checked');

/** Options that passed MLflow's checks, `maxResults` resolved: the stores sample them as they are. */
export interface CheckedBulkInterval extends BulkIntervalOptions {
  readonly maxResults: number;
  readonly [CHECKED]: readonly string[];
}

/**
 * MLflow's check of the run ids, first of the request's (the server checks it before the other
 * parameters). `docs`: the server's suffix pointing to the API docs, which its messages carry.
 */
export function validateBulkRunIds(runIds: string[], docs = ''): void {
  if (!runIds.length) {
    throw new MlfError("Missing value for required parameter 'run_ids'. See the API docs for more information about request parameters.", 'INVALID_PARAMETER_VALUE');
  }
  if (runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
    throw new MlfError(
      `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${runIds.length} run_ids.${docs}`,
      'INVALID_PARAMETER_VALUE',
    );
  }
}

/**
 * MLflow's checks on the steps and max_results, once {@link validateBulkRunIds} passed for `runIds`
 * (`docs` as there). The result is marked as checked for those run ids.
 */
export function validateBulkInterval(runIds: string[], opts: BulkIntervalOptions, docs = ''): CheckedBulkInterval {
  const maxResults = opts.maxResults ?? MAX_RESULTS_PER_RUN;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS_PER_RUN) {
    throw new MlfError(`max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.${docs}`, 'INVALID_PARAMETER_VALUE');
  }
  const hasStart = opts.startStep !== undefined && opts.startStep !== null;
  const hasEnd = opts.endStep !== undefined && opts.endStep !== null;
  if (hasStart && hasEnd) {
    if (opts.startStep! > opts.endStep!) {
      throw new MlfError(
        `end_step must be greater than start_step. Found start_step=${opts.startStep} and end_step=${opts.endStep}.`,
        'INVALID_PARAMETER_VALUE',
      );
    }
  } else if (hasStart || hasEnd) {
    throw new MlfError('If either start step or end step are specified, both must be specified.', 'INVALID_PARAMETER_VALUE');
  }
  return { startStep: opts.startStep, endStep: opts.endStep, maxResults, [CHECKED]: runIds };
}

/**
 * The stores' entry: a request the server checked (marked for these very run ids) is taken as it
 * is, so each request is checked once, where it enters; a direct call is checked here.
 */
export function checkedBulkInterval(runIds: string[], opts: BulkIntervalOptions): CheckedBulkInterval {
  if ((opts as Partial<CheckedBulkInterval>)[CHECKED] === runIds) return opts as CheckedBulkInterval;
  validateBulkRunIds(runIds);
  return validateBulkInterval(runIds, opts);
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function upperBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The steps to return, given each run's logged steps (any order, duplicates allowed).
 * Returns them sorted ascending.
 */
export function sampleBulkIntervalSteps(perRunSteps: number[][], opts: CheckedBulkInterval): number[] {
  const maxResults = opts.maxResults;
  const all = [...new Set(perRunSteps.flat())].sort((a, b) => a - b);
  let start = opts.startStep ?? undefined;
  let end = opts.endStep ?? undefined;
  if (start === undefined || end === undefined) {
    start = 0;
    end = all.length ? all[all.length - 1]! : 0;
  }
  const ends = new Set<number>();
  for (const steps of perRunSteps) {
    if (!steps.length) continue;
    let mn = steps[0]!;
    let mx = steps[0]!;
    for (const s of steps) {
      if (s < mn) mn = s;
      if (s > mx) mx = s;
    }
    for (const s of [mn, mx]) if (s >= start && s <= end) ends.add(s);
  }
  const lo = lowerBound(all, start);
  const hi = upperBound(all, end);
  const sampled = new Set<number>(ends);
  if (hi - lo <= maxResults) {
    for (let i = lo; i < hi; i++) sampled.add(all[i]!);
  } else {
    const n = hi - lo;
    const interval = n / maxResults;
    for (let i = 0; i < maxResults; i++) {
      // MLflow compares this absolute index with the window's length, so a window that does not
      // start at the first step comes back nearly empty; mlf compares it with the window's end.
      const idx = lo + Math.floor(i * interval);
      if (idx < hi) sampled.add(all[idx]!);
    }
    sampled.add(all[hi - 1]!);
  }
  return [...sampled].sort((a, b) => a - b);
}

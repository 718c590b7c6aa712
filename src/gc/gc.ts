/**
 * `mlf gc`: permanently remove deleted runs and experiments, their rows and their artifacts.
 *
 * The plan follows `mlflow gc` (which runs and experiments, which ages), with its known faults fixed
 * on purpose:
 * - `--run-ids` alone purges only those runs (MLflow also purges every deleted experiment), and
 *   `--experiment-ids` alone purges only those experiments (MLflow also purges every deleted run).
 * - Everything is checked before anything is removed: one active run or experiment named, and
 *   nothing goes.
 * - Runs deleted before MLflow recorded `deleted_time` are purged when no age is asked for; with
 *   `--older-than` they are kept and reported as of unknown age (MLflow's SQL store silently never
 *   purges them, its file store always does). The same goes for experiments without
 *   `last_update_time`.
 * - Work goes in batches: artifacts of a batch first, then one set-based purge of the batch, so a
 *   kill leaves whole runs (perhaps without artifacts) that the next gc finishes.
 *
 * @example
 * const summary = await runGc(store, { olderThan: '30d', dryRun: true });
 */
import { noHardDeleteError } from '../stores/common.js';
import path from 'node:path';
import { MlfError } from '../lib/errors.js';
import type { Experiment, RunInfo } from '../tracking/entities.js';
import { uriScheme, fileUriToPath } from '../tracking/uri.js';
import { allItems, pages } from '../tracking/pages.js';
import type { PurgeResult, TrackingStore } from '../stores/tracking-store.js';
import { DEFAULT_ARTIFACTS_DESTINATION, deleteRunArtifacts, mapLimit, type ArtifactOutcome, type ArtifactOwner } from './artifacts.js';
import { parseOlderThan } from './older-than.js';
import { withGcLock } from './lock.js';
import type { Progress } from '../lib/progress.js';
import fs from 'node:fs/promises';

export interface GcOptions {
  /** MLflow's `#d#h#m#s` form. */
  olderThan?: string;
  runIds?: string[];
  experimentIds?: string[];
  /** Base for `mlflow-artifacts:` URIs (default `$MLFLOW_ARTIFACTS_DESTINATION`, then `./mlartifacts`). */
  artifactsDestination?: string;
  dryRun?: boolean;
  /** Runs per purge call (and per artifact batch). */
  batchSize?: number;
  now?: number;
  cwd?: string;
  /** A progress bar for `total` runs, e.g. {@link progressBar}. */
  progress?: (total: number) => Progress;
}

export interface SkippedArtifact {
  /** The run's id, or the logged model's or trace's when `owner` says so. */
  runId: string;
  owner?: ArtifactOwner;
  artifactUri: string;
  reason: string;
}

export interface GcSummary {
  dryRun: boolean;
  /** Runs purged (or that would be), including those of purged experiments. */
  runs: number;
  experiments: number;
  runIds: string[];
  experimentIds: string[];
  /** Rows (SQL) or files (file store) per table: `unit` says which. */
  rows: Record<string, number>;
  unit: 'rows' | 'files';
  artifactBytes: number;
  artifacts: { deleted: number; missing: number; skipped: number };
  skippedArtifacts: SkippedArtifact[];
  /** With `--older-than`: deleted items whose deletion time is unknown, kept. */
  unknownAge: { runIds: string[]; experimentIds: string[] };
  /** File store: folders an interrupted gc left (run folders without meta.yaml), removed. */
  leftovers?: string[];
}

export interface GcPlan {
  /** Deleted runs to purge on their own (not part of a purged experiment). */
  runs: RunInfo[];
  experiments: Experiment[];
  /** Runs of the experiments above (any stage), whose artifacts must go too. */
  experimentRuns: RunInfo[];
  unknownAge: { runIds: string[]; experimentIds: string[] };
}

const PAGE = 50_000;

function allExperiments(store: TrackingStore, viewType: 'ALL' | 'DELETED_ONLY'): Promise<Experiment[]> {
  return allItems((pageToken) => store.searchExperiments({ viewType, maxResults: PAGE, pageToken }));
}

async function allRuns(store: TrackingStore, experimentIds: string[], viewType: 'ALL' | 'DELETED_ONLY'): Promise<RunInfo[]> {
  const out: RunInfo[] = [];
  for (let i = 0; i < experimentIds.length; i += 1000) {
    const ids = experimentIds.slice(i, i + 1000);
    for await (const page of pages((pageToken) => store.searchRuns({ experimentIds: ids, viewType, maxResults: PAGE, pageToken }))) {
      for (const r of page.items) out.push(r.info);
    }
  }
  return out;
}

function pyList(ids: string[]): string {
  return `[${ids.map((i) => `'${i}'`).join(', ')}]`;
}

function splitIds(ids: string[] | undefined): string[] | undefined {
  if (!ids) return undefined;
  return [...new Set(ids.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))];
}

/** Decide what goes, checking everything first (MLflow's errors, nothing removed yet). */
export async function planGc(store: TrackingStore, opts: GcOptions): Promise<GcPlan> {
  // MLflow's REST API has no hard delete: say so before listing anything.
  if (!store.capabilities.hardDelete) throw noHardDeleteError(store.displayUri);
  const now = opts.now ?? Date.now();
  const olderThanMs = opts.olderThan !== undefined ? parseOlderThan(opts.olderThan) : undefined;
  const threshold = olderThanMs === undefined ? undefined : now - olderThanMs;
  const runIds = splitIds(opts.runIds);
  const experimentIds = splitIds(opts.experimentIds);
  // MLflow treats an empty `--run-ids ""` as absent and purges every deleted run; a script whose id
  // variable came out empty should not do that.
  if (runIds?.length === 0) throw new MlfError('--run-ids names no run', 'INVALID_PARAMETER_VALUE');
  if (experimentIds?.length === 0) throw new MlfError('--experiment-ids names no experiment', 'INVALID_PARAMETER_VALUE');
  const unknownAge = { runIds: [] as string[], experimentIds: [] as string[] };

  let experiments: Experiment[] = [];
  let runs: RunInfo[] = [];

  if (experimentIds) {
    const exps = [];
    for (const id of experimentIds) exps.push(await store.getExperiment(id));
    const notDeleted = exps.filter((e) => e.lifecycleStage !== 'deleted').map((e) => e.experimentId);
    if (notDeleted.length > 0) {
      throw new MlfError(
        `Experiments ${pyList(notDeleted)} are not in the deleted lifecycle stage. Only experiments in the deleted lifecycle stage can be hard-deleted.`,
        'INVALID_PARAMETER_VALUE',
      );
    }
    if (threshold !== undefined) {
      const young = exps.filter((e) => e.lastUpdateTime !== null && e.lastUpdateTime >= threshold).map((e) => e.experimentId);
      if (young.length > 0) {
        throw new MlfError(
          `Experiments ${pyList(young)} are not older than the required age. Only experiments older than ${opts.olderThan} can be deleted.`,
          'INVALID_PARAMETER_VALUE',
        );
      }
    }
    for (const e of exps) {
      if (threshold !== undefined && e.lastUpdateTime === null) unknownAge.experimentIds.push(e.experimentId);
      else experiments.push(e);
    }
  }

  if (runIds) {
    for (const id of runIds) {
      const info = (await store.getRun(id)).info;
      if (info.lifecycleStage !== 'deleted') {
        throw new MlfError(
          `Run ${id} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`,
          'INVALID_PARAMETER_VALUE',
        );
      }
      if (threshold !== undefined && info.deletedTime !== null && info.deletedTime > threshold) {
        throw new MlfError(
          `Run ${id} is not older than the required age. Only runs older than ${opts.olderThan} can be deleted.`,
          'INVALID_PARAMETER_VALUE',
        );
      }
      if (threshold !== undefined && info.deletedTime === null) unknownAge.runIds.push(id);
      else runs.push(info);
    }
  }

  if (!runIds && !experimentIds) {
    const all = await allExperiments(store, 'ALL');
    for (const e of all) {
      if (e.lifecycleStage !== 'deleted') continue;
      if (threshold === undefined) experiments.push(e);
      else if (e.lastUpdateTime === null) unknownAge.experimentIds.push(e.experimentId);
      else if (e.lastUpdateTime < threshold) experiments.push(e);
    }
    const purgedExps = new Set(experiments.map((e) => e.experimentId));
    // Deleted runs of experiments that stay (active ones, or deleted ones too young to go).
    const candidates = await allRuns(
      store,
      all.map((e) => e.experimentId).filter((id) => !purgedExps.has(id)),
      'DELETED_ONLY',
    );
    for (const r of candidates) {
      if (threshold === undefined) runs.push(r);
      else if (r.deletedTime === null) unknownAge.runIds.push(r.runId);
      else if (r.deletedTime <= threshold) runs.push(r);
    }
  }

  experiments = dedupeBy(experiments, (e) => e.experimentId);
  const expSet = new Set(experiments.map((e) => e.experimentId));
  const experimentRuns = experiments.length > 0 ? await allRuns(store, [...expSet], 'ALL') : [];
  // A named run inside a purged experiment goes with it.
  runs = dedupeBy(runs, (r) => r.runId).filter((r) => !expSet.has(r.experimentId));
  return { runs, experiments, experimentRuns, unknownAge };
}

function dedupeBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}

function addRows(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Plan, then purge (or, with `dryRun`, measure) batch by batch. On a file store one gc runs at a
 * time (a second one waits, then finds what is left) and what a killed gc left is removed first.
 */
export async function runGc(store: TrackingStore, opts: GcOptions = {}): Promise<GcSummary> {
  const folders = store.housekeeping;
  if (!folders) return gcOnce(store, opts);
  return withGcLock(folders.root, async () => {
    const leftovers = opts.dryRun ? [] : folders.removePurgeLeftovers();
    return { ...(await gcOnce(store, opts)), leftovers };
  });
}

async function gcOnce(store: TrackingStore, opts: GcOptions): Promise<GcSummary> {
  const plan = await planGc(store, opts);
  const dryRun = !!opts.dryRun;
  const batch = opts.batchSize ?? 500;
  const artifactOpts = {
    artifactsDestination: opts.artifactsDestination ?? process.env.MLFLOW_ARTIFACTS_DESTINATION ?? DEFAULT_ARTIFACTS_DESTINATION,
    cwd: opts.cwd,
    dryRun,
    fallbackPath: store.housekeeping ? (p: string) => store.housekeeping!.trashedPath(p) : undefined,
  };
  const summary: GcSummary = {
    dryRun,
    runs: 0,
    experiments: 0,
    runIds: [],
    experimentIds: [],
    rows: {},
    unit: store.capabilities.purgeUnit,
    artifactBytes: 0,
    artifacts: { deleted: 0, missing: 0, skipped: 0 },
    skippedArtifacts: [],
    unknownAge: plan.unknownAge,
  };
  const progress = opts.progress?.(plan.runs.length + plan.experimentRuns.length);

  const artifactsOf = async (runs: (Pick<RunInfo, 'runId' | 'artifactUri'> & { owner?: ArtifactOwner })[]) => {
    // The bar moves run by run, not a batch (500 runs) at a time.
    const outcomes: ArtifactOutcome[] = await mapLimit(runs, 16, async (r) => {
      const o = await deleteRunArtifacts(r.runId, r.artifactUri, artifactOpts, r.owner);
      if (!r.owner || r.owner === 'run') progress?.tick(1);
      return o;
    });
    outcomes.forEach((o, i) => {
      summary.artifacts[o.status]++;
      summary.artifactBytes += o.bytes;
      const owner = runs[i]!.owner;
      if (o.status === 'skipped') {
        summary.skippedArtifacts.push({ runId: o.runId, artifactUri: o.artifactUri, reason: o.reason, ...(owner && owner !== 'run' ? { owner } : {}) });
      }
    });
  };
  const take = (res: PurgeResult) => {
    summary.runIds.push(...res.runIds);
    summary.experimentIds.push(...res.experimentIds);
    addRows(summary.rows, res.rows);
  };

  try {
    for (let i = 0; i < plan.runs.length; i += batch) {
      const part = plan.runs.slice(i, i + batch);
      // Artifacts before rows: a kill in between leaves a run without artifacts, which the next gc
      // purges (a missing folder is fine), never rows pointing at half-deleted folders.
      await artifactsOf(part);
      take(await store.purgeRuns(part.map((r) => r.runId), { dryRun }));
    }

    const runsByExp = new Map<string, RunInfo[]>();
    for (const r of plan.experimentRuns) {
      const list = runsByExp.get(r.experimentId) ?? [];
      list.push(r);
      runsByExp.set(r.experimentId, list);
    }
    for (const exp of plan.experiments) {
      const runs = runsByExp.get(exp.experimentId) ?? [];
      for (let i = 0; i < runs.length; i += batch) {
        await artifactsOf(runs.slice(i, i + batch));
      }
      const res = await store.purgeExperiments([exp.experimentId], { dryRun });
      take(res);
      // Logged models' and traces' folders, each checked to be its own as a run's is. Their rows are
      // read in the purge's transaction, so these go after it: a kill in between leaves folders only.
      await artifactsOf((res.artifacts ?? []).map((a) => ({ runId: a.id, artifactUri: a.uri, owner: a.kind })));
      if (!dryRun) await removeEmptyExperimentFolder(exp, opts.cwd);
    }
  } finally {
    progress?.done();
  }
  summary.runIds = [...new Set(summary.runIds)];
  summary.experimentIds = [...new Set(summary.experimentIds)];
  summary.runs = summary.runIds.length;
  summary.experiments = summary.experimentIds.length;
  return summary;
}

/**
 * A purged experiment's local artifact folder, once its run folders are gone, is removed if empty
 * and named after the experiment: SQLite reuses the highest experiment id, and a new experiment
 * must not find an old one's folder. Anything else is left alone.
 */
async function removeEmptyExperimentFolder(exp: Experiment, cwd?: string): Promise<void> {
  const loc = exp.artifactLocation;
  if (!loc) return;
  const scheme = uriScheme(loc);
  if (scheme !== '' && scheme !== 'file') return;
  try {
    const dir = scheme === 'file' ? fileUriToPath(loc, cwd) : path.resolve(cwd ?? process.cwd(), loc);
    if (path.basename(dir) !== exp.experimentId) return;
    // MLflow 3 keeps logged models and traces under models/ and traces/: empty once theirs are gone.
    for (const sub of ['models', 'traces']) await fs.rmdir(path.join(dir, sub)).catch(() => undefined);
    await fs.rmdir(dir);
  } catch {
    // Not empty, not there, or not ours: leave it.
  }
}

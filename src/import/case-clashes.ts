/**
 * Names a target that ignores case (name-fold.ts) would take as one, among the source's experiments
 * and against the target's, among a run's params, tags and metric keys and an input's tag names, and
 * among an experiment's datasets (unique by name and digest) and against the target's. MLflow's store
 * on such a database cannot hold both either (it answers the second with RESOURCE_ALREADY_EXISTS), so
 * the import refuses them, naming both, rather than keeping one or failing on a duplicate key.
 * (The copied tables' keys, trace and logged model tags among them, are unique-keys.ts's.)
 */
import { MlfError } from '../lib/errors.js';
import type { SqlConnection } from '../stores/sql/connect.js';
import type { Experiment } from '../tracking/entities.js';
import type { IdMapping } from './experiment-ids.js';
import type { ImportSource, RunKeys } from './model.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import type { Fold } from './name-fold.js';

const q = (s: string) => JSON.stringify(s);

/** Distinct names one fold makes equal, as [first, other] pairs (a name repeated is one name). */
function pairs<T>(items: T[], name: (t: T) => string, fold: (s: string) => string): [T, T][] {
  const first = new Map<string, T>();
  const names = new Set<string>();
  const out: [T, T][] = [];
  for (const it of items) {
    if (names.has(name(it))) continue;
    names.add(name(it));
    const k = fold(name(it));
    const f = first.get(k);
    if (f === undefined) first.set(k, it);
    else if (name(f) !== name(it)) out.push([f, it]);
  }
  return out;
}

/**
 * Source experiments whose names the target takes as one another's, or as a target experiment's
 * it does not go into; and experiment tag keys likewise within a source experiment.
 */
export function experimentNameClashes(fold: Fold, experiments: Experiment[], target: { id: number; name: string }[], ids: Map<string, IdMapping>): string[] {
  if (!fold) return [];
  const out: string[] = [];
  for (const [a, b] of pairs(experiments, (e) => e.name, fold)) {
    out.push(`source experiments ${q(a.name)} (id ${a.experimentId}) and ${q(b.name)} (id ${b.experimentId})`);
  }
  const byFold = new Map(target.map((t) => [fold(t.name), t]));
  for (const e of experiments) {
    const t = byFold.get(fold(e.name));
    const m = ids.get(e.experimentId);
    if (t && t.name !== e.name && m?.targetId !== t.id) {
      out.push(`source experiment ${q(e.name)} (id ${e.experimentId}) and target experiment ${q(t.name)} (id ${t.id})`);
    }
  }
  for (const e of experiments) {
    for (const [a, b] of pairs(e.tags, (t) => t.key, fold)) out.push(`tags ${q(a.key)} and ${q(b.key)} of source experiment ${q(e.name)}`);
  }
  return out;
}

/** A run's params, tags or metrics, or an input's tags, whose keys the target takes as one. */
export function runKeyClashes(fold: Fold, run: RunKeys): string[] {
  if (!fold) return [];
  const out: string[] = [];
  for (const kind of ['params', 'tags', 'metrics'] as const) {
    for (const [a, b] of pairs(run[kind], (k) => k, fold)) out.push(`${kind} ${q(a)} and ${q(b)} of run ${run.runId}`);
  }
  for (const i of run.inputs) {
    for (const [a, b] of pairs(i.tags, (k) => k, fold)) out.push(`input tags ${q(a)} and ${q(b)} of run ${run.runId}'s input of dataset ${q(i.name)}`);
  }
  return out;
}

interface DatasetKey {
  name: string;
  digest: string;
}

const dsKey = (d: DatasetKey) => `${d.name}\u0000${d.digest}`;
const dsName = (d: DatasetKey) => `${q(d.name)} (digest ${d.digest})`;

/**
 * Datasets of one source experiment (listed, or named by its runs' inputs) whose (name, digest) the
 * target takes as one another's, or as a dataset of the target experiment it goes into.
 */
export function datasetClashes(fold: Fold, experiment: string, datasets: DatasetKey[], target: DatasetKey[]): string[] {
  if (!fold) return [];
  const folded = (k: string) => k.split('\u0000').map(fold).join('\u0000');
  const out = pairs(datasets, dsKey, folded).map(([a, b]) => `datasets ${dsName(a)} and ${dsName(b)} of source experiment ${q(experiment)}`);
  const byFold = new Map(target.map((t) => [folded(dsKey(t)), t]));
  for (const d of new Map(datasets.map((x) => [dsKey(x), x])).values()) {
    const t = byFold.get(folded(dsKey(d)));
    if (t && dsKey(t) !== dsKey(d)) out.push(`dataset ${dsName(d)} of source experiment ${q(experiment)} and ${dsName(t)} in the target`);
  }
  return out;
}

/**
 * Before anything is written: refuses experiments and runs whose names the target would take as one
 * (`conn` null: a target without MLflow's schema yet, holding no experiments). Reads every run's keys.
 */
export async function refuseCaseClashes(conn: SqlConnection | null, fold: Fold, source: ImportSource, experiments: Experiment[], ids: Map<string, IdMapping>): Promise<void> {
  if (!fold) return;
  const db = conn?.db;
  const target = db ? (await db.selectFrom('experiments').select(['experiment_id', 'name']).execute()).map((r) => ({ id: Number(r.experiment_id), name: String(r.name) })) : [];
  const clashes = experimentNameClashes(fold, experiments, target, ids);
  // Datasets of the target experiments source ones go into (a target old enough has no datasets table).
  const merged = experiments.filter((e) => !ids.get(e.experimentId)!.created);
  const withDatasets = db && merged.length && (await new Ddl(db, conn.dialect).catalog.tables(db)).includes('datasets');
  for (const e of experiments) {
    const datasets: DatasetKey[] = await source.datasets(e.experimentId);
    for await (const k of source.runKeys(e.experimentId)) {
      clashes.push(...runKeyClashes(fold, k));
      datasets.push(...k.inputs);
    }
    const m = ids.get(e.experimentId)!;
    const held = withDatasets && !m.created ? await db.selectFrom('datasets').select(['name', 'digest']).where('experiment_id', '=', m.targetId).execute() : [];
    clashes.push(...datasetClashes(fold, e.name, datasets, held as DatasetKey[]));
  }
  if (clashes.length) throw new MlfError(caseClashMessage(clashes), 'RESOURCE_CONFLICT');
}

/** The one line a refusal prints (unique-keys.ts's case collisions too). */
export function caseClashMessage(clashes: string[]): string {
  const list = clashes.slice(0, 10).join('; ') + (clashes.length > 10 ? `; ... (${clashes.length} in all)` : '');
  return `The target compares names ignoring case (its collation), so it cannot hold both of: ${list}; rename one of each in the source, or import into a database that compares names exactly (SQLite, PostgreSQL). Nothing was written.`;
}

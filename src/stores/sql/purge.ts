/**
 * Hard deletion of deleted runs and experiments on every SQL dialect, for `mlf gc`.
 *
 * MLflow's `_hard_delete_run` deletes one run per session through the ORM cascade, leaves the run's
 * `inputs`/`input_tags` rows behind, and `_hard_delete_experiment` fails on a foreign key as soon as
 * the experiment has `datasets` or `trace_info` rows. Here the work is set-based: ids go in chunks of
 * {@link PURGE_CHUNK}, each chunk is one transaction deleting children before parents with
 * `WHERE ... IN (...)`, so a kill between chunks leaves every run either whole or gone, and the next
 * purge simply carries on (ids already gone are skipped).
 *
 * @example
 * const { db, dialect } = await connectSql(parsed);
 * const res = await purgeRunsSql(db, dialect, ['0a1b...'], { dryRun: true });
 * // { runIds: ['0a1b...'], experimentIds: [], rows: { metrics: 100, params: 10, ... , runs: 1 } }
 */
import { experimentsNotDeleted, runNotDeleted } from '../../tracking/messages.js';
import type { ExpressionBuilder } from 'kysely';
import type { PurgeResult } from '../tracking-store.js';
import type { Db, SqlDialect, Tx } from './dialects/dialect.js';
import { idsIn, purgePlan, withoutEmpty, type IdSet, type OwnedArtifact, type PurgePlan, type Target } from './purge-tables.js';

/** Runs (or experiments) per transaction: small enough for every dialect's parameter limit. */
export const PURGE_CHUNK = 500;

export interface PurgeOptions {
  dryRun?: boolean;
  /** Ids per transaction (default {@link PURGE_CHUNK}). */
  chunkSize?: number;
  /** Called after each committed chunk with the number of runs it removed. */
  onChunk?: (runsDone: number) => void;
}

type Exec = Db | Tx;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = ExpressionBuilder<any, any>;

/**
 * Children before parents: nothing here is refused by a foreign key. Tables added after 2.17 come
 * from {@link purgePlan} (purge-tables.ts), ahead of these, when the database's revision has them.
 */
export const RUN_TABLES = ['input_tags', 'inputs', 'latest_metrics', 'metrics', 'params', 'tags', 'runs'] as const;
export const EXPERIMENT_TABLES = [
  'input_tags',
  'inputs',
  'datasets',
  'experiment_tags',
  'trace_request_metadata',
  'trace_tags',
  'trace_info',
  'experiments',
] as const;

/** The `inputs` rows whose `side` is (`type`, one of `ids`), tags first. */
function inputTargets(side: 'source' | 'destination', type: string, ids: (eb: Eb) => unknown): Target[] {
  const links = (eb: Eb) => eb.and([eb(`${side}_type`, '=', type), eb(`${side}_id`, 'in', ids(eb) as never)]);
  return [
    { table: 'input_tags', where: (eb) => eb('input_uuid', 'in', eb.selectFrom('inputs').select('input_uuid').where(links)) },
    { table: 'inputs', where: links },
  ];
}

function runTargets(runs: IdSet<string>, plan: PurgePlan): Target[] {
  const ids = (eb: Eb) => idsIn(eb, runs);
  return [
    ...plan.run(runs),
    ...inputTargets('destination', 'RUN', ids),
    { table: 'latest_metrics', where: (eb) => eb('run_uuid', 'in', ids(eb)) },
    { table: 'metrics', where: (eb) => eb('run_uuid', 'in', ids(eb)) },
    { table: 'params', where: (eb) => eb('run_uuid', 'in', ids(eb)) },
    { table: 'tags', where: (eb) => eb('run_uuid', 'in', ids(eb)) },
    { table: 'runs', where: (eb) => eb('run_uuid', 'in', ids(eb)) },
  ];
}

/** Everything of an experiment except its runs (which go first, through {@link runTargets}). */
function experimentTargets(ids: number[], plan: PurgePlan): Target[] {
  const datasetUuids = (eb: Eb) => eb.selectFrom('datasets').select('dataset_uuid').where('experiment_id', 'in', ids);
  const traceIds = (eb: Eb) => eb.selectFrom('trace_info').select('request_id').where('experiment_id', 'in', ids);
  return [
    ...plan.experiment(ids),
    ...inputTargets('source', 'DATASET', datasetUuids),
    { table: 'datasets', where: (eb) => eb('experiment_id', 'in', ids) },
    { table: 'experiment_tags', where: (eb) => eb('experiment_id', 'in', ids) },
    // trace_tags and trace_request_metadata cascade from trace_info on every dialect at head, but
    // deleting them explicitly keeps SQLite without foreign_keys (and older schemas) clean too.
    { table: 'trace_request_metadata', where: (eb) => eb('request_id', 'in', traceIds(eb)) },
    { table: 'trace_tags', where: (eb) => eb('request_id', 'in', traceIds(eb)) },
    { table: 'trace_info', where: (eb) => eb('experiment_id', 'in', ids) },
    { table: 'experiments', where: (eb) => eb.and([eb('experiment_id', 'in', ids), eb('lifecycle_stage', '=', 'deleted')]) },
  ];
}

/**
 * Count what deleting `targets` in order would remove: targets of one table are OR-ed, so a row
 * that several of them reach (and the delete would take once) is counted once.
 */
async function countTargets(db: Exec, targets: Target[], rows: Record<string, number>): Promise<void> {
  const byTable = new Map<string, Target['where'][]>();
  for (const t of await withoutEmpty(db, targets)) byTable.set(t.table, [...(byTable.get(t.table) ?? []), t.where]);
  for (const [table, wheres] of byTable) {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .where((eb) => eb.or(wheres.map((w) => w(eb))))
      .executeTakeFirst();
    rows[table] = (rows[table] ?? 0) + Number((r as { n?: unknown } | undefined)?.n ?? 0);
  }
}

/** Delete in order, skipping the targets that {@link withoutEmpty} finds nothing for (one query). */
async function deleteTargets(tx: Exec, targets: Target[], rows: Record<string, number>): Promise<void> {
  for (const t of await withoutEmpty(tx, targets)) {
    const r = await tx.deleteFrom(t.table).where(t.where).executeTakeFirst();
    rows[t.table] = (rows[t.table] ?? 0) + Number(r.numDeletedRows);
  }
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function zeroRows(tables: readonly string[]): Record<string, number> {
  return Object.fromEntries(tables.map((t) => [t, 0]));
}

/**
 * Take row locks on the given rows (a no-op UPDATE works on every dialect, unlike `FOR UPDATE`,
 * which SQLite lacks) and return the ids still in the `deleted` stage. A concurrent restore then
 * either lands before us (and its run is skipped) or waits for our commit.
 */
async function lockDeleted(tx: Tx, table: 'runs' | 'experiments', idColumn: string, ids: (string | number)[]): Promise<(string | number)[]> {
  await tx
    .updateTable(table)
    .set({ lifecycle_stage: 'deleted' })
    .where(idColumn, 'in', ids)
    .where('lifecycle_stage', '=', 'deleted')
    .execute();
  const rows = await tx.selectFrom(table).select(idColumn).where(idColumn, 'in', ids).where('lifecycle_stage', '=', 'deleted').execute();
  return rows.map((r) => (r as Record<string, string | number>)[idColumn]!);
}

/** Purge one chunk of run ids inside `tx` (children first). Returns how many runs went. */
async function deleteRunChunk(tx: Tx, ids: string[], rows: Record<string, number>, plan: PurgePlan): Promise<number> {
  if (ids.length === 0) return 0;
  const before = rows.runs ?? 0;
  await deleteTargets(tx, runTargets(ids, plan), rows);
  return (rows.runs ?? 0) - before;
}

/**
 * Permanently delete runs in the `deleted` stage with every row that refers to them.
 * Refuses (`INVALID_PARAMETER_VALUE`, MLflow's message, nothing removed) if any id is a run that is
 * not deleted; ids that do not exist (already purged) are skipped.
 */
export async function purgeRunsSql(db: Db, dialect: SqlDialect, runIds: string[], opts: PurgeOptions = {}): Promise<PurgeResult> {
  const size = opts.chunkSize ?? PURGE_CHUNK;
  const unique = [...new Set(runIds)];
  const plan = await purgePlan(db);
  const rows = zeroRows([...plan.tables, ...RUN_TABLES]);

  // Check every id before touching anything, so one active run means nothing at all is removed.
  const existing: string[] = [];
  for (const part of chunks(unique, size)) {
    const found = await db.selectFrom('runs').select(['run_uuid', 'lifecycle_stage']).where('run_uuid', 'in', part).execute();
    const stage = new Map(found.map((r) => [r.run_uuid as string, r.lifecycle_stage as string]));
    for (const id of part) {
      const s = stage.get(id);
      if (s === undefined) continue;
      if (s !== 'deleted') throw runNotDeleted(id);
      existing.push(id);
    }
  }

  if (opts.dryRun) {
    for (const part of chunks(existing, size)) await countTargets(db, runTargets(part, plan), rows);
    return { runIds: existing, experimentIds: [], rows };
  }

  const purged: string[] = [];
  for (const part of chunks(existing, size)) {
    const done = await dialect.writeTransaction(db, async (tx) => {
      const ids = (await lockDeleted(tx, 'runs', 'run_uuid', part)) as string[];
      await deleteRunChunk(tx, ids, rows, plan);
      return ids;
    });
    purged.push(...done);
    opts.onChunk?.(done.length);
  }
  return { runIds: purged, experimentIds: [], rows };
}

/**
 * Permanently delete experiments in the `deleted` stage with all their runs (whatever their stage),
 * run children, tags, datasets, inputs and traces; their names become free. Refuses
 * (`INVALID_PARAMETER_VALUE`, MLflow's message listing them, nothing removed) if any is not deleted.
 *
 * Runs go first, a chunk per transaction; the experiment's own rows go last, in one transaction
 * per chunk of experiments, so a kill leaves a deleted experiment with fewer (whole) runs.
 */
export async function purgeExperimentsSql(
  db: Db,
  dialect: SqlDialect,
  experimentIds: string[],
  opts: PurgeOptions = {},
): Promise<PurgeResult> {
  const size = opts.chunkSize ?? PURGE_CHUNK;
  // Experiment ids are integers in SQL; anything else cannot exist here.
  const unique = [...new Set(experimentIds)].filter((id) => /^\d+$/.test(id));
  const plan = await purgePlan(db);
  const rows = zeroRows([...plan.tables, ...RUN_TABLES, ...EXPERIMENT_TABLES]);

  const existing: number[] = [];
  const notDeleted: string[] = [];
  for (const part of chunks(unique, size)) {
    const found = await db
      .selectFrom('experiments')
      .select(['experiment_id', 'lifecycle_stage'])
      .where('experiment_id', 'in', part.map(Number))
      .execute();
    const stage = new Map(found.map((r) => [String(r.experiment_id), r.lifecycle_stage as string]));
    for (const id of part) {
      const s = stage.get(id);
      if (s === undefined) continue;
      if (s !== 'deleted') notDeleted.push(id);
      else existing.push(Number(id));
    }
  }
  if (notDeleted.length > 0) throw experimentsNotDeleted(notDeleted);
  if (existing.length === 0) return { runIds: [], experimentIds: [], rows };

  const runIdsOf = async (exec: Exec, exps: number[]) =>
    (await exec.selectFrom('runs').select('run_uuid').where('experiment_id', 'in', exps).execute()).map((r) => r.run_uuid as string);

  const runIds: string[] = [];
  const expIds: string[] = [];
  const artifacts: OwnedArtifact[] = [];
  for (const exps of chunks(existing, size)) {
    const runs = await runIdsOf(db, exps);
    if (opts.dryRun) {
      // The runs as a subquery: one count per table covers what the run and experiment steps share.
      const runsOf = (eb: Eb) => eb.selectFrom('runs').select('run_uuid').where('experiment_id', 'in', exps);
      await countTargets(db, [...runTargets(runsOf, plan), ...experimentTargets(exps, plan)], rows);
      artifacts.push(...(await plan.artifacts(db, exps)));
      runIds.push(...runs);
      expIds.push(...exps.map(String));
      continue;
    }
    for (const part of chunks(runs, size)) {
      const n = await dialect.writeTransaction(db, (tx) => deleteRunChunk(tx, part, rows, plan));
      runIds.push(...part);
      opts.onChunk?.(n);
    }
    const done = await dialect.writeTransaction(db, async (tx) => {
      const ids = (await lockDeleted(tx, 'experiments', 'experiment_id', exps)).map(Number);
      if (ids.length === 0) return { ids, owned: [] };
      // Runs that appeared since the list was taken (none, normally) go in this same transaction,
      // or the experiment row would be refused by their foreign key.
      const late = await runIdsOf(tx, ids);
      for (const part of chunks(late, size)) await deleteRunChunk(tx, part, rows, plan);
      runIds.push(...late);
      const owned = await plan.artifacts(tx, ids);
      await deleteTargets(tx, experimentTargets(ids, plan), rows);
      return { ids, owned };
    });
    expIds.push(...done.ids.map(String));
    artifacts.push(...done.owned);
  }
  return { runIds, experimentIds: expIds, rows, artifacts };
}

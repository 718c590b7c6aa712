/**
 * Which target experiment id each source experiment gets, remembered in the target so a resumed or
 * repeated import puts runs where the first one did.
 *
 * Ids are kept where MLflow's `experiments.experiment_id` (a 32-bit INTEGER) can hold them. File-store
 * ids are 18-digit random numbers: those, and ids already used in the target by another experiment,
 * are renumbered after the largest id in use. A source experiment whose name is already in the target
 * goes to that experiment (names are unique in MLflow).
 */
import { sql } from 'kysely';
import type { Db } from '../stores/sql/dialects/dialect.js';
import type { Experiment } from '../tracking/entities.js';

/** mlf's own table in the target: MLflow ignores tables it does not know. */
export const ID_MAP_TABLE = 'mlf_import_experiment_ids';
const INT32_MAX = 2147483647;

export interface IdMapping {
  sourceId: string;
  targetId: number;
  /** Not in the target yet: the import creates it. */
  created: boolean;
  /** Recorded in the map table already. */
  recorded: boolean;
}

export async function ensureIdMapTable(db: Db): Promise<void> {
  await db.schema
    .createTable(ID_MAP_TABLE)
    .ifNotExists()
    .addColumn('source', 'varchar(255)', (c) => c.notNull())
    .addColumn('source_experiment_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('experiment_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('mlf_import_experiment_ids_pk', ['source', 'source_experiment_id'])
    .execute();
}

async function hasTable(db: Db, name: string): Promise<boolean> {
  try {
    await sql`select 1 from ${sql.table(name)} where 1 = 0`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/**
 * Work out the id of every source experiment in the target. Reads only; {@link recordExperimentIds}
 * writes the new entries of the map table.
 */
export async function planExperimentIds(db: Db, source: string, experiments: Experiment[]): Promise<Map<string, IdMapping>> {
  const target = await db.selectFrom('experiments').select(['experiment_id', 'name']).execute();
  const remembered = new Map<string, number>();
  if (await hasTable(db, ID_MAP_TABLE)) {
    const rows = await db.selectFrom(ID_MAP_TABLE).select(['source_experiment_id', 'experiment_id']).where('source', '=', source).execute();
    for (const r of rows) remembered.set(String(r.source_experiment_id), Number(r.experiment_id));
  }
  return assignExperimentIds(experiments, target.map((r) => ({ id: Number(r.experiment_id), name: String(r.name) })), remembered);
}

/**
 * The rule itself: a remembered id, else the target experiment of the same name, else the source id
 * when it fits and is free, else the next id after the largest in use.
 */
export function assignExperimentIds(experiments: Experiment[], target: { id: number; name: string }[], remembered: Map<string, number> = new Map()): Map<string, IdMapping> {
  const byName = new Map(target.map((r) => [r.name, r.id]));
  const used = new Set(target.map((r) => r.id));
  const out = new Map<string, IdMapping>();
  const claimed = new Set<number>(); // ids given to a source experiment already
  const free = (id: number) => !claimed.has(id);
  const later: Experiment[] = [];
  for (const e of experiments) {
    const known = remembered.get(e.experimentId);
    const named = byName.get(e.name);
    let id: number | undefined;
    if (known !== undefined && free(known)) id = known;
    else if (named !== undefined && free(named)) id = named;
    else {
      const n = /^\d{1,10}$/.test(e.experimentId) ? Number(e.experimentId) : NaN;
      if (n <= INT32_MAX && !used.has(n) && free(n)) id = n;
    }
    if (id === undefined) {
      later.push(e);
      continue;
    }
    claimed.add(id);
    out.set(e.experimentId, { sourceId: e.experimentId, targetId: id, created: !used.has(id), recorded: known === id });
  }
  let next = Math.max(0, ...used, ...claimed) + 1;
  for (const e of later) {
    while (used.has(next) || claimed.has(next)) next++;
    claimed.add(next);
    out.set(e.experimentId, { sourceId: e.experimentId, targetId: next, created: true, recorded: false });
  }
  return out;
}

/** Remember the mappings made by this import (the table is created on first use). */
export async function recordExperimentIds(db: Db, source: string, mappings: IdMapping[]): Promise<void> {
  const fresh = mappings.filter((m) => !m.recorded);
  if (!fresh.length) return;
  await ensureIdMapTable(db);
  for (const m of fresh) {
    await db.deleteFrom(ID_MAP_TABLE).where('source', '=', source).where('source_experiment_id', '=', m.sourceId).execute();
    await db.insertInto(ID_MAP_TABLE).values({ source, source_experiment_id: m.sourceId, experiment_id: m.targetId }).execute();
    m.recorded = true;
  }
}

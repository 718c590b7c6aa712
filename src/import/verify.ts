/**
 * After a batch is written, count what the target holds for its runs and compare with the source:
 * params, tags, distinct metric points and dataset inputs per run. Experiments are checked at the
 * end (runs and tags per experiment). Each difference is one readable line.
 */
import { sql } from 'kysely';
import type { Db } from '../stores/sql/dialects/dialect.js';
import type { SourceRun, TableCount } from './model.js';
import { copiedTable, type CopiedTable } from './tables.js';
import type { TargetTables } from './table-copy.js';
import { ID_CHUNK, distinctMetricRows } from './run-writer.js';

export interface RunCounts {
  params: number;
  tags: number;
  metrics: number;
  inputs: number;
}

const TABLES: { name: keyof RunCounts; table: string; column: string }[] = [
  { name: 'params', table: 'params', column: 'run_uuid' },
  { name: 'tags', table: 'tags', column: 'run_uuid' },
  { name: 'metrics', table: 'metrics', column: 'run_uuid' },
  { name: 'inputs', table: 'inputs', column: 'destination_id' },
];

export function sourceCounts(r: SourceRun): RunCounts {
  return {
    params: new Set(r.params.map((p) => p.key)).size,
    tags: new Set(r.tags.map((t) => t.key)).size,
    metrics: distinctMetricRows(r.info.runId, r.metrics).size,
    inputs: new Set(r.inputs.map((i) => `${i.dataset.name}\u0000${i.dataset.digest}`)).size,
  };
}

async function countBy(db: Db, table: string, column: string, ids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const rows = await db
      .selectFrom(table)
      .select([sql.ref(column).as('id'), sql<number>`count(*)`.as('n')])
      .where(column, 'in', ids.slice(i, i + ID_CHUNK))
      .groupBy(column)
      .execute();
    for (const r of rows) out.set(String(r.id), Number(r.n));
  }
  return out;
}

/** Differences between source and target for a batch of runs (empty when all counts match). */
export async function verifyRuns(db: Db, runs: SourceRun[]): Promise<string[]> {
  const ids = runs.map((r) => r.info.runId);
  const present = await countBy(db, 'runs', 'run_uuid', ids);
  const target = new Map<keyof RunCounts, Map<string, number>>();
  for (const t of TABLES) target.set(t.name, await countBy(db, t.table, t.column, ids));
  const out: string[] = [];
  for (const r of runs) {
    const id = r.info.runId;
    if (!present.get(id)) {
      out.push(`run ${id}: missing in the target`);
      continue;
    }
    const want = sourceCounts(r);
    for (const t of TABLES) {
      const got = target.get(t.name)!.get(id) ?? 0;
      if (got !== want[t.name]) out.push(`run ${id}: ${t.name} source ${want[t.name]}, target ${got}`);
    }
  }
  return out;
}

/**
 * Runs and tags of one experiment in the target against the source's numbers; `merged`: the source
 * experiment went into the target's own experiment of its name, whose rows may add to the count:
 * there the target must only not fall short.
 */
export async function verifyExperiment(db: Db, label: string, targetId: number, want: { runs: number; tags: number }, merged = false): Promise<string[]> {
  const differs = (got: number, n: number) => (merged ? got < n : got !== n);
  const runs = await db.selectFrom('runs').select(sql<number>`count(*)`.as('n')).where('experiment_id', '=', targetId).executeTakeFirst();
  const tags = await db.selectFrom('experiment_tags').select(sql<number>`count(*)`.as('n')).where('experiment_id', '=', targetId).executeTakeFirst();
  const out: string[] = [];
  if (differs(Number(runs?.n ?? 0), want.runs)) out.push(`experiment ${label}: runs source ${want.runs}, target ${Number(runs?.n ?? 0)}`);
  if (differs(Number(tags?.n ?? 0), want.tags)) out.push(`experiment ${label}: tags source ${want.tags}, target ${Number(tags?.n ?? 0)}`);
  return out;
}

/** Rows per run (run ids never change) in the target against the source's. */
async function verifyPerRun(db: Db, spec: CopiedTable, col: string, want: Map<string, number>): Promise<string[]> {
  const table = spec.table;
  const runs = [...want.keys()];
  const got = new Map<string, number>();
  for (let i = 0; i < runs.length; i += ID_CHUNK) {
    let q = db.selectFrom(table);
    if (spec.only) q = q.where(spec.only.column, 'in', spec.only.values);
    const rows = await q
      .select([sql.ref(col).as('r'), sql<number>`count(*)`.as('n')])
      .where(col, 'in', runs.slice(i, i + ID_CHUNK))
      .groupBy(col)
      .execute();
    for (const r of rows) got.set(String(r.r), Number(r.n));
  }
  const out: string[] = [];
  for (const [run, n] of want) {
    const t = got.get(run) ?? 0;
    if (t !== n) out.push(`run ${run}: ${table} source ${n}, target ${t}`);
  }
  return out;
}

/**
 * Rows of the copied tables (logged models, traces, ...) in the target against the source: per
 * experiment where the table names one (ids through the map), else the table's total, which the
 * target may exceed with rows of its own but not fall short of; per run too where it names one
 * (logged models by source run, the runs' model links).
 */
export async function verifyTables(
  db: Db,
  targets: TargetTables,
  counts: Map<string, TableCount>,
  ids: Map<string, number>,
  /** Source experiments that went into the target's own experiment of their name (see verifyExperiment). */
  merged: Set<string> = new Set(),
): Promise<string[]> {
  const out: string[] = [];
  for (const [table, want] of counts) {
    if (!want.total) continue;
    const spec = copiedTable(table);
    if (!(await targets.get(table))) {
      out.push(`table ${table}: source ${want.total} row(s), the target has no such table`);
      continue;
    }
    let q = db.selectFrom(table);
    if (spec.only) q = q.where(spec.only.column, 'in', spec.only.values);
    if (spec.runColumn && want.byRun) out.push(...(await verifyPerRun(db, spec, spec.runColumn, want.byRun)));
    if (spec.experimentColumn && want.byExperiment) {
      const col = spec.experimentColumn;
      const targetIds = [...want.byExperiment.keys()].map((s) => ids.get(s) ?? Number(s));
      const got = new Map<string, number>();
      for (let i = 0; i < targetIds.length; i += ID_CHUNK) {
        const rows = await q
          .select([sql.ref(col).as('e'), sql<number>`count(*)`.as('n')])
          .where(col, 'in', targetIds.slice(i, i + ID_CHUNK))
          .groupBy(col)
          .execute();
        for (const r of rows) got.set(String(r.e), Number(r.n));
      }
      for (const [source, n] of want.byExperiment) {
        const t = got.get(String(ids.get(source) ?? source)) ?? 0;
        if (merged.has(source) ? t < n : t !== n) out.push(`experiment ${source}: ${table} source ${n}, target ${t}`);
      }
      continue;
    }
    const n = Number((await q.select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
    if (n < want.total) out.push(`table ${table}: source ${want.total}, target ${n}`);
  }
  return out;
}

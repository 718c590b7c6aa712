/**
 * `mlf db import`: copy a tracking store (an `mlruns` folder or a database) into a SQL database,
 * faithfully, resumably and checked.
 *
 * Order: open both sides; refuse, before anything is written, run ids the target holds with other
 * data, tables or columns (with values) the target's revision lacks, names a target ignoring case
 * would take as one, rows colliding with other target rows on a unique key, and registry rows the
 * target holds as other entities; create or upgrade the target schema; experiments (ids kept or renumbered, see
 * experiment-ids.ts); per experiment its datasets, then its runs in batches (run-writer.ts, each
 * batch one transaction, verified once written); the tables of COPIED_TABLES (registry, logged models,
 * traces, MLflow 3's evaluation and gateway tables) of a database source;
 * last the per-experiment counts.
 *
 * @example
 * const r = await importStore({ from: './mlruns', to: 'postgresql://mlflow@db/mlflow' });
 * if (r.differences.length) process.exitCode = 1;
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../lib/errors.js';
import type { Experiment } from '../tracking/entities.js';
import { maskUri } from '../tracking/uri.js';
import type { SqlConnection } from '../stores/sql/connect.js';
import type { Migration } from '../stores/sql/migrate/index.js';
import type { ImportSource } from './model.js';
import { assignExperimentIds, planExperimentIds, recordExperimentIds, type IdMapping } from './experiment-ids.js';
import { NO_PROGRESS, type Progress } from '../lib/progress.js';
import { writeDatasets, writeRunBatch, type RowCounts } from './run-writer.js';
import { TargetTables, copyTableRows } from './table-copy.js';
import { verifyExperiment, verifyRuns, verifyTables } from './verify.js';
import { writeExperiments } from './experiment-writer.js';
import { assertTargetHoldsTables, finishTarget, targetStatus, upgradeTarget } from './target.js';
import { findConflicts } from './conflicts.js';
import { findUniqueCollisions, withHeadSchema } from './unique-keys.js';
import { assertTargetHoldsColumns } from './target-columns.js';
import { targetFold } from './name-fold.js';
import { caseClashMessage, refuseCaseClashes } from './case-clashes.js';
import { findRegistryConflicts } from './registry-conflicts.js';
import { HEAD_REVISION } from '../stores/sql/migrate/index.js';
import { openSource, openTarget } from './endpoints.js';

export interface ImportOptions {
  from: string;
  to: string;
  /** Schema revision for the target; default the head `mlf db upgrade` goes to. */
  toRevision?: string;
  dryRun?: boolean;
  skipBroken?: boolean;
  /** Where the experiment id map is written when ids are renumbered. */
  idMapFile?: string;
  /** Runs per batch (one transaction each). */
  batchSize?: number;
  /** Asked before a one-way migration of an existing target (as `mlf db upgrade` asks). */
  onBeforeOneWay?: (conn: SqlConnection, from: string | null) => (m: Migration) => Promise<boolean>;
  log?: (line: string) => void;
  progress?: (totalRuns: number) => Progress;
  /** Called after each batch of runs is committed (tests stop an import here to resume it). */
  afterBatch?: (runsDone: number) => void | Promise<void>;
  cwd?: string;
}

export interface ImportResult {
  source: string;
  target: string;
  dryRun: boolean;
  schema: { from: string | null; to: string | null; applied: string[] };
  experiments: { total: number; created: number };
  runs: { total: number; created: number; updated: number; unchanged: number };
  /** Rows written per table (in a dry run: that would be written). */
  rows: RowCounts;
  /** Source experiment id → target id, for every id that changed. */
  renumbered: Record<string, string>;
  idMapFile: string | null;
  skipped: string[];
  differences: string[];
  seconds: number;
}

const DEFAULT_BATCH = 200;

export async function importStore(opts: ImportOptions): Promise<ImportResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => undefined);
  const dryRun = !!opts.dryRun;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const target = await openTarget(opts.to, opts.cwd);
  let source: ImportSource | undefined;
  try {
    const opened = await openSource(opts.from, { skipBroken: opts.skipBroken, cwd: opts.cwd, target: target.conn });
    source = opened.source;
    const sourceKey = opened.key;
    const { conn } = target;
    const { db, dialect } = conn;

    const experiments: Experiment[] = [];
    for await (const e of source.experiments()) experiments.push(e);

    // Nothing may be written before the conflict check: it needs the target's experiments and runs.
    const schemaBefore = await targetStatus(conn, opts.toRevision);
    const empty = schemaBefore.current === null;
    const ids = empty ? assignExperimentIds(experiments, []) : await planExperimentIds(db, sourceKey, experiments);
    const runCounts = new Map<string, number>();
    let totalRuns = 0;
    if (!empty) {
      const conflicts = await findConflicts(db, source, experiments, ids, runCounts);
      if (conflicts.length) {
        throw new MlfError(
          `The target already holds ${conflicts.length} run id(s) of the source with other data (experiment or start time differ): ${conflicts.slice(0, 10).join(', ')}${conflicts.length > 10 ? ', ...' : ''}; nothing was written.`,
          'RESOURCE_CONFLICT',
        );
      }
    } else {
      for (const e of experiments) {
        let n = 0;
        for await (const _ of source.runHeads(e.experimentId)) n++;
        runCounts.set(e.experimentId, n);
      }
    }
    for (const n of runCounts.values()) totalRuns += n;
    const tableCounts = await source.tableCounts();
    assertTargetHoldsTables(opts.toRevision, tableCounts);
    const targetIds = new Map([...ids].map(([s, m]) => [s, m.targetId]));
    const merged = await mergedExperiments(db, experiments, ids);
    if (!empty) {
      // A target kept at an older revision: columns it lacks must hold nothing the source would lose.
      const revision = opts.toRevision ?? HEAD_REVISION;
      if (revision !== HEAD_REVISION) await assertTargetHoldsColumns(conn, source, revision);
    }
    // Names a target ignoring case (MySQL's collation) would take as one: refused, naming both.
    const fold = await targetFold(conn, !empty);
    await refuseCaseClashes(empty ? null : conn, fold, source, experiments, ids);
    // Keys come from the target's catalog, or while it has no schema from the head it will be created
    // at (there only rows the fold makes one can collide, among the source's own).
    if (!empty || fold) {
      const check = (keysFrom?: SqlConnection) => findUniqueCollisions(conn, source!, tableCounts, targetIds, { fold, keysFrom });
      const { other: collisions, folded } = empty ? await withHeadSchema(check) : await check();
      if (folded.length) throw new MlfError(caseClashMessage(folded), 'RESOURCE_CONFLICT');
      if (collisions.length) {
        throw new MlfError(
          `The target already holds ${collisions.length} other row(s) under unique keys of the source's: ${collisions.slice(0, 10).join('; ')}${collisions.length > 10 ? '; ...' : ''}; nothing was written.`,
          'RESOURCE_CONFLICT',
        );
      }
    }
    if (!empty) {
      const registry = await findRegistryConflicts(conn, source, tableCounts);
      if (registry.length) {
        throw new MlfError(
          `The target already holds ${registry.length} Model Registry row(s) under the source's names that are other models or versions (created at another time): ${registry.slice(0, 10).join('; ')}${registry.length > 10 ? '; ...' : ''}; nothing was written.`,
          'RESOURCE_CONFLICT',
        );
      }
    }

    const schema = dryRun
      ? { from: schemaBefore.current, to: schemaBefore.current, applied: [] as string[] }
      : await upgradeTarget(conn, { toRevision: opts.toRevision, onBeforeOneWay: opts.onBeforeOneWay?.(conn, schemaBefore.current), log });
    const writeCtx = { db, dialect, dryRun, empty: empty && dryRun };

    const rows: RowCounts = {};
    const created = await writeExperiments(writeCtx, experiments, ids, rows);
    if (!dryRun) {
      await recordExperimentIds(db, sourceKey, [...ids.values()]);
      await finishTarget(conn); // right away: a stopped import must not leave the id counter behind
    }

    const result: ImportResult = {
      source: maskUri(opts.from),
      target: maskUri(opts.to),
      dryRun,
      schema,
      experiments: { total: experiments.length, created },
      runs: { total: 0, created: 0, updated: 0, unchanged: 0 },
      rows,
      renumbered: {},
      idMapFile: null,
      skipped: [],
      differences: [],
      seconds: 0,
    };
    const bar = opts.progress?.(totalRuns) ?? NO_PROGRESS;
    const seen = new Map<string, number>();
    for (const e of experiments) {
      const targetId = ids.get(e.experimentId)!.targetId;
      const datasets = await writeDatasets(writeCtx, targetId, await source.datasets(e.experimentId), rows);
      let n = 0;
      for await (const batch of source.runs(e.experimentId, batchSize)) {
        const r = await writeRunBatch({ ...writeCtx, experimentId: targetId, datasets }, batch);
        for (const [t, k] of Object.entries(r.rows)) rows[t] = (rows[t] ?? 0) + k;
        result.runs.created += r.runsCreated;
        result.runs.updated += r.runsUpdated;
        result.runs.unchanged += r.runsUnchanged;
        result.runs.total += batch.length;
        n += batch.length;
        if (!dryRun) result.differences.push(...(await verifyRuns(db, batch)));
        bar.tick(batch.length);
        await opts.afterBatch?.(result.runs.total);
      }
      seen.set(e.experimentId, n);
    }
    bar.done();

    const targets = new TargetTables(writeCtx);
    for await (const t of source.extraTables(1000)) {
      const n = await copyTableRows(writeCtx, targets, t, targetIds);
      if (n.created) rows[t.table] = (rows[t.table] ?? 0) + n.created;
      if (n.updated) rows[`${t.table} (updated)`] = (rows[`${t.table} (updated)`] ?? 0) + n.updated;
    }

    // Planner statistics for the rows just loaded, where the database would otherwise wait for
    // autovacuum (or never gather them, with autovacuum off).
    if (!dryRun && result.runs.created + result.runs.updated) await conn.dialect.gatherStatistics?.(conn.db);
    if (!dryRun) {
      for (const e of experiments) {
        const m = ids.get(e.experimentId)!;
        const want = { runs: seen.get(e.experimentId) ?? 0, tags: new Set(e.tags.map((t) => t.key)).size };
        result.differences.push(...(await verifyExperiment(db, e.experimentId, m.targetId, want, merged.has(e.experimentId))));
      }
      result.differences.push(...(await verifyTables(db, targets, tableCounts, targetIds, merged)));
    }
    for (const m of ids.values()) if (String(m.targetId) !== m.sourceId) result.renumbered[m.sourceId] = String(m.targetId);
    if (Object.keys(result.renumbered).length && !dryRun) {
      result.idMapFile = writeIdMap(opts, target.conn, ids);
    }
    result.skipped = [...source.skipped];
    result.seconds = Math.round((performance.now() - t0) / 10) / 100;
    return result;
  } finally {
    await source?.close().catch(() => undefined);
    await target.conn.close().catch(() => undefined);
  }
}

/**
 * Source experiments that went into a target experiment of their name made elsewhere (its creation
 * time is not the source's, which an imported one keeps): its own rows may add to the counts.
 */
async function mergedExperiments(db: SqlConnection['db'], experiments: Experiment[], ids: Map<string, IdMapping>): Promise<Set<string>> {
  const existing = experiments.filter((e) => !ids.get(e.experimentId)!.created);
  if (!existing.length) return new Set();
  const rows = await db.selectFrom('experiments').select(['experiment_id', 'creation_time']).where('experiment_id', 'in', existing.map((e) => ids.get(e.experimentId)!.targetId)).execute();
  const created = new Map(rows.map((r) => [Number(r.experiment_id), r.creation_time === null ? null : Number(r.creation_time)]));
  return new Set(existing.filter((e) => created.get(ids.get(e.experimentId)!.targetId) !== (e.creationTime ?? null)).map((e) => e.experimentId));
}

/** `<db file>.id-map.json` beside a SQLite target, else `mlf-import-id-map-<database>.json` here. */
function writeIdMap(opts: ImportOptions, conn: SqlConnection, ids: Map<string, IdMapping>): string {
  const file =
    opts.idMapFile ??
    (conn.uri.dialect === 'sqlite' && conn.uri.sqlitePath && conn.uri.sqlitePath !== ':memory:'
      ? `${conn.uri.sqlitePath}.id-map.json`
      : path.resolve(opts.cwd ?? process.cwd(), `mlf-import-id-map-${conn.uri.database ?? 'db'}.json`));
  const experiments = Object.fromEntries([...ids.values()].map((m) => [m.sourceId, String(m.targetId)]));
  fs.writeFileSync(file, JSON.stringify({ source: maskUri(opts.from), target: maskUri(opts.to), experiments }, null, 2) + '\n');
  return file;
}


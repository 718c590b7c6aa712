/**
 * Indexes mlf adds beside MLflow's schema, the one list of them: search cost follows the page, not
 * the table. Each is named `mlf_*` and leaves MLflow's tables, columns and own indexes as MLflow made
 * them: MLflow never looks at an index it does not know, and its migrations keep it (alembic's SQLite
 * batch mode re-creates a rebuilt table's other indexes, as mlf's does). Schema comparisons with
 * MLflow's dumps leave these out (isMlfIndex).
 *
 * Created where mlf already changes the schema: a new database, `mlf db upgrade` (also of a database
 * at its target, perhaps one MLflow made) and `mlf db import`'s target, all through `upgrade`. Never
 * on a plain open: a read-write command would otherwise hold the write lock while indexing a big
 * table (seconds, with an MLflow server beside it waiting on the lock), and on PostgreSQL it needs
 * the table's owner, which a server's role often is not.
 */
import { sql } from 'kysely';
import type { SqlDialectName } from '../../../tracking/uri.js';
import type { Db, SqlDialect } from '../dialects/dialect.js';
import { Ddl } from './ddl.js';

export interface MlfIndex {
  name: string;
  table: string;
  columns: string[];
  /** Where MLflow's schema lacks it (and `create index if not exists` is spoken). */
  dialects: SqlDialectName[];
}

export const MLF_INDEXES: readonly MlfIndex[] = [
  // MLflow indexes no runs.experiment_id on SQLite or PostgreSQL (InnoDB indexes every foreign key,
  // so MySQL has one): without it, searching one experiment reads every run of every experiment.
  { name: 'mlf_runs_experiment_id', table: 'runs', columns: ['experiment_id'], dialects: ['sqlite', 'postgresql'] },
  // MLflow 3's logged_model_metrics.run_id cascades from runs with no index of its own there: deleting a
  // run (gc) would read the whole table once per run to find its rows.
  { name: 'mlf_logged_model_metrics_run_id', table: 'logged_model_metrics', columns: ['run_id'], dialects: ['sqlite', 'postgresql'] },
  // The other foreign keys a purge fires with no index behind them there (InnoDB indexes them on
  // MySQL): each experiment deleted makes the database look for its rows in every table referencing
  // it, a whole-table read per experiment without these. 100 experiments purged beside 200,000
  // logged-model metrics of another one took 10 s on PostgreSQL and 5.5 s on SQLite, 0.38 s and
  // 0.05 s with them.
  ...['experiment_tags', 'logged_models', 'logged_model_metrics', 'logged_model_params', 'logged_model_tags', 'endpoints', 'online_scoring_configs'].map(
    (table): MlfIndex => ({ name: `mlf_${table}_experiment_id`, table, columns: ['experiment_id'], dialects: ['sqlite', 'postgresql'] }),
  ),
  // A purged experiment's scorers go, and online_scoring_configs cascades from them.
  { name: 'mlf_online_scoring_configs_scorer_id', table: 'online_scoring_configs', columns: ['scorer_id'], dialects: ['sqlite', 'postgresql'] },
  // A run's metric history. MLflow's primary key (key, timestamp, step, run_uuid, value, is_nan) covers
  // the point, so SQLite's planner, without statistics, reads the history through it led by the key
  // alone: every point of that key in every run (one run's 10,000 points beside 2M others: 196 ms).
  // Led by run and key, in the history's order and covering the point, this is one range read with
  // no sort. PostgreSQL plans MLflow's (run_uuid, key, step) by the table's size; MySQL's secondary
  // indexes carry the primary key, so that one covers there.
  { name: 'mlf_metrics_history', table: 'metrics', columns: ['run_uuid', 'key', 'step', 'timestamp', 'value', 'is_nan'], dialects: ['sqlite'] },
];

export const isMlfIndex = (name: string): boolean => MLF_INDEXES.some((ix) => ix.name === name);

/**
 * Create this dialect's mlf indexes where missing, on the tables and columns the revision has (a
 * database upgraded `--to` a revision before endpoints.experiment_id has the table without the
 * column); idempotent.
 */
export async function createMlfIndexes(db: Db, dialect: SqlDialect): Promise<void> {
  const wanted = MLF_INDEXES.filter((ix) => ix.dialects.includes(dialect.name));
  if (!wanted.length) return;
  const { catalog } = new Ddl(db, dialect);
  const tables = new Set(await catalog.tables(db));
  const columns = new Map<string, Set<string>>();
  for (const ix of wanted) {
    if (!tables.has(ix.table)) continue;
    if (!columns.has(ix.table)) columns.set(ix.table, new Set((await catalog.columns(db, ix.table)).map((c) => c.name)));
    if (!ix.columns.every((c) => columns.get(ix.table)!.has(c))) continue;
    const cols = sql.join(ix.columns.map((c) => sql.id(c)));
    await sql`create index if not exists ${sql.id(ix.name)} on ${sql.table(ix.table)} (${cols})`.execute(db);
  }
}

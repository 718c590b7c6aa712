/**
 * What a purge removes from the tables added after MLflow 2.17 (MLflow 3's logged models, model
 * outputs, assessments and spans), as data: a later revision adds entries here, not code in purge.ts.
 *
 * Each entry names the table it deletes from and every table its filter reads (`needs`); an entry
 * applies only when the database's revision has all of them, so a 2.17 database is purged as before.
 * Entries come before purge.ts's own targets and, within a list, children before parents: several
 * of these tables reference experiments with no ON DELETE action (logged_model_params/tags/metrics,
 * spans), and MySQL checks each foreign key during the statement.
 *
 * A purged run's issues keep their row with `source_run_id` set to NULL by the FK (ON DELETE SET NULL),
 * as MLflow leaves them. Budget policies and the MCP registry belong to no experiment or run; a guardrail
 * goes only with the purged experiment's scorer it runs.
 *
 * Rows that only mention a run or model without a foreign key (logged_models.source_run_id,
 * assessments.run_id, a model input/output row naming a model of a purged experiment from a run
 * elsewhere) stay, as they do when MLflow 3 deletes a run or experiment. A purged run's own model
 * inputs/outputs rows go, like its dataset inputs (MLflow leaves those behind, unreachable), and so
 * do entity_associations rows naming a purged run or experiment at either end (no FK holds them;
 * the evaluation dataset at the other end stays). Rows that cascade from a purged row anyway
 * (scorer versions, span and trace metrics) are deleted explicitly so that `--dry-run` counts them.
 *
 * @example
 * const plan = await purgePlan(db); // at c8d9e0f1a2b3: run and experiment entries for every table
 * const targets = [...plan.run(ids), ...base];
 */
import { sql, type CompiledQuery, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { currentRevision } from './migrate/head.js';
import { tablesAt } from './migrate/revisions.js';
import type { Db, Tx } from './dialects/dialect.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = ExpressionBuilder<any, any>;
export interface Target {
  table: string;
  where: (eb: Eb) => Expression<SqlBool>;
  /**
   * Where the rows this target could ever reach would show: when that finds none, the target is
   * skipped (see {@link withoutEmpty}). Only the tables added after 2.17 have one; most stay empty.
   */
  probe?: Probe;
}

/** Rows of `table` (matching `where`, if given); targets sharing a Probe object share its answer. */
export interface Probe {
  table: string;
  where?: (eb: Eb) => Expression<SqlBool>;
}

/**
 * Ids as a list, or as a subquery selecting them: a dry run counts an experiment's rows with its
 * runs as a subquery, so that each row is counted once, whichever target reaches it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type IdSet<Id> = Id[] | ((eb: Eb) => any);

/** The right-hand side of `in` for an {@link IdSet}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function idsIn<Id>(eb: Eb, ids: IdSet<Id>): any {
  return typeof ids === 'function' ? ids(eb) : ids;
}

/** A list or a subquery of ids, ready for `in`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type In = any;

interface Entry {
  table: string;
  needs?: string[];
  where: (ids: In, eb: Eb) => Expression<SqlBool>;
  /** Narrower than "any row of the table" (see Target.probe), where an index makes it as cheap. */
  probe?: Probe;
}
const modelsOf = (ids: In, eb: Eb) => eb.selectFrom('logged_models').select('model_id').where('experiment_id', 'in', ids);
const tracesOf = (ids: In, eb: Eb) => eb.selectFrom('trace_info').select('request_id').where('experiment_id', 'in', ids);
/** log_inputs/log_outputs rows for models: the run is the source, a logged model the destination. */
const RUN_SOURCES = ['RUN_INPUT', 'RUN_OUTPUT'];
const runModelRows = (ids: In, eb: Eb) =>
  eb.selectFrom('inputs').select('input_uuid').where('source_type', 'in', RUN_SOURCES).where('source_id', 'in', ids);
/** Rows of a model table that belong to the experiment directly or through their model. */
const ofExperimentModels = (ids: In, eb: Eb) => eb.or([eb('experiment_id', 'in', ids), eb('model_id', 'in', modelsOf(ids, eb))]);

/**
 * entity_associations rows naming one of `ids` as an entity of `type`, at either end. The ids are
 * text there: experiment ids are bound as strings (PostgreSQL compares no VARCHAR with an INTEGER).
 */
const associationsOf = (type: 'run' | 'experiment', ids: In, eb: Eb) => {
  const text = Array.isArray(ids) ? ids.map(String) : ids;
  return eb.or([
    eb.and([eb('source_type', '=', type), eb('source_id', 'in', text)]),
    eb.and([eb('destination_type', '=', type), eb('destination_id', 'in', text)]),
  ]);
};
const scorersOf = (ids: In, eb: Eb) => eb.selectFrom('scorers').select('scorer_id').where('experiment_id', 'in', ids);
/** span_metrics rows of the spans the `spans` entry removes: matched on both key columns. */
const spanMetricsOf = (ids: In, eb: Eb) =>
  eb.exists(
    eb
      .selectFrom('spans as s')
      .select('s.span_id')
      .whereRef('s.trace_id', '=', 'span_metrics.trace_id')
      .whereRef('s.span_id', '=', 'span_metrics.span_id')
      .where((e: Eb) => e.or([e('s.experiment_id', 'in', ids), e('s.trace_id', 'in', tracesOf(ids, e))])),
  );

/**
 * Any model input/output row at all (their input tags hang off them): source_type leads inputs'
 * primary key, so this is one index probe.
 */
const RUN_MODEL_ROWS: Probe = { table: 'inputs', where: (eb) => eb('source_type', 'in', RUN_SOURCES) };

/** A run's rows in the new tables (its metrics on logged models, its model inputs and outputs). */
const RUN_ENTRIES: Entry[] = [
  { table: 'entity_associations', where: (ids, eb) => associationsOf('run', ids, eb) },
  { table: 'logged_model_metrics', where: (ids, eb) => eb('run_id', 'in', ids) },
  {
    table: 'input_tags',
    needs: ['inputs', 'logged_models'],
    where: (ids, eb) => eb('input_uuid', 'in', runModelRows(ids, eb)),
    probe: RUN_MODEL_ROWS,
  },
  {
    table: 'inputs',
    needs: ['logged_models'],
    where: (ids, eb) => eb.and([eb('source_type', 'in', RUN_SOURCES), eb('source_id', 'in', ids)]),
    probe: RUN_MODEL_ROWS,
  },
];

const queuesOf = (ids: In, eb: Eb) => eb.selectFrom('review_queues').select('queue_id').where('experiment_id', 'in', ids);

/** An experiment's rows in the new tables, after its runs went. */
const EXPERIMENT_ENTRIES: Entry[] = [
  { table: 'logged_model_metrics', needs: ['logged_models'], where: ofExperimentModels },
  { table: 'logged_model_params', needs: ['logged_models'], where: ofExperimentModels },
  { table: 'logged_model_tags', needs: ['logged_models'], where: ofExperimentModels },
  { table: 'logged_models', where: (ids, eb) => eb('experiment_id', 'in', ids) },
  { table: 'assessments', where: (ids, eb) => eb('trace_id', 'in', tracesOf(ids, eb)) },
  { table: 'trace_metrics', where: (ids, eb) => eb('request_id', 'in', tracesOf(ids, eb)) },
  // Before spans, which cascade to them: explicit, so that a dry run counts them.
  { table: 'span_metrics', needs: ['spans'], where: spanMetricsOf },
  { table: 'spans', where: (ids, eb) => eb.or([eb('experiment_id', 'in', ids), eb('trace_id', 'in', tracesOf(ids, eb))]) },
  // Its experiment FK has no ON DELETE action: these go before the scorers and the experiment.
  {
    table: 'online_scoring_configs',
    needs: ['scorers'],
    where: (ids, eb) => eb.or([eb('experiment_id', 'in', ids), eb('scorer_id', 'in', scorersOf(ids, eb))]),
  },
  // A guardrail (ae8bbe7743c9) runs a scorer version with no ON DELETE action: one built on a purged
  // experiment's scorer cannot outlive it, so it goes first (its guardrail_configs cascade).
  { table: 'guardrails', needs: ['scorers'], where: (ids, eb) => eb('scorer_id', 'in', scorersOf(ids, eb)) },
  { table: 'scorer_versions', needs: ['scorers'], where: (ids, eb) => eb('scorer_id', 'in', scorersOf(ids, eb)) },
  { table: 'scorers', where: (ids, eb) => eb('experiment_id', 'in', ids) },
  { table: 'entity_associations', where: (ids, eb) => associationsOf('experiment', ids, eb) },
  // endpoints.experiment_id needs nothing here: its FK sets it to NULL when the experiment goes.  // Review queues and label schemas (b7e4c1a90f23, 89d3d66ed43f) and issues (76601a5f987d) cascade from
  // the experiment; listed so a dry run counts them and no dialect depends on the cascade's order.
  { table: 'review_queue_items', needs: ['review_queues'], where: (ids, eb) => eb('queue_id', 'in', queuesOf(ids, eb)) },
  { table: 'review_queue_users', needs: ['review_queues'], where: (ids, eb) => eb('queue_id', 'in', queuesOf(ids, eb)) },
  { table: 'review_queue_label_schemas', needs: ['review_queues'], where: (ids, eb) => eb('queue_id', 'in', queuesOf(ids, eb)) },
  { table: 'review_queues', where: (ids, eb) => eb('experiment_id', 'in', ids) },
  { table: 'label_schemas', where: (ids, eb) => eb('experiment_id', 'in', ids) },
  { table: 'issues', where: (ids, eb) => eb('experiment_id', 'in', ids) },
];

/**
 * Where an experiment's logged models and traces keep their artifacts (each `id` names its own
 * folder, so gc's path-safety check applies as to runs). Traces record theirs in a tag.
 */
const ARTIFACT_SOURCES: { table: string; list: (db: Db | Tx, ids: number[]) => Promise<OwnedArtifact[]> }[] = [
  {
    table: 'logged_models',
    list: async (db, ids) =>
      (await db.selectFrom('logged_models').select(['model_id', 'artifact_location']).where('experiment_id', 'in', ids).execute()).map((r) => ({
        kind: 'model' as const,
        id: String(r.model_id),
        uri: String(r.artifact_location ?? ''),
      })),
  },
  {
    table: 'trace_tags',
    list: async (db, ids) =>
      (
        await db
          .selectFrom('trace_tags')
          .select(['request_id', 'value'])
          .where('key', '=', 'mlflow.artifactLocation')
          .where('request_id', 'in', (eb: Eb) => tracesOf(ids, eb))
          .execute()
      ).map((r) => ({ kind: 'trace' as const, id: String(r.request_id), uri: String(r.value ?? '') })),
  },
];

export interface OwnedArtifact {
  kind: 'model' | 'trace';
  /** The logged model's or trace's id: its artifact folder is `<id>` or `<id>/artifacts`. */
  id: string;
  uri: string;
}

export interface PurgePlan {
  /** Tables this plan deletes from (for zero counts in a dry run). */
  tables: string[];
  run(ids: IdSet<string>): Target[];
  experiment(ids: number[]): Target[];
  /** Artifact locations of the experiments' logged models and traces, read before they go. */
  artifacts(db: Db | Tx, ids: number[]): Promise<OwnedArtifact[]>;
}

/** Each entry's probe: its own, or any row of its table (one object per entry, so shared by its targets). */
const probes = new Map<Entry, Probe>();
const probeOf = (e: Entry): Probe => {
  let p = probes.get(e);
  if (!p) probes.set(e, (p = e.probe ?? { table: e.table }));
  return p;
};

function bind<Id>(entries: Entry[], ids: IdSet<Id>): Target[] {
  return entries.map((e) => ({ table: e.table, where: (eb: Eb) => e.where(idsIn(eb, ids), eb), probe: probeOf(e) }));
}

/**
 * The targets minus those with nothing to reach, found in one query: a database at MLflow 3's head
 * has some twenty tables a purge must look at, and most of them are empty where logged models,
 * traces, scorers or review queues are not used. Targets without a probe are always kept.
 */
export async function withoutEmpty(db: Db | Tx, targets: Target[]): Promise<Target[]> {
  const asked = [...new Set(targets.flatMap((t) => (t.probe ? [t.probe] : [])))];
  if (asked.length === 0) return targets;
  const r = await db.executeQuery<Record<string, number | string>>(probeQuery(db, asked));
  const row = r.rows[0];
  // No answer (a driver that returns no row) keeps every target.
  const empty = new Set(asked.filter((_, i) => row !== undefined && Number(row[`p${i}`]) === 0));
  return targets.filter((t) => !t.probe || !empty.has(t.probe));
}

/** Compiled probe queries by the dialect's adapter and the probes asked: a purge asks the same each chunk. */
const probeQueries = new WeakMap<object, Map<string, CompiledQuery>>();
const probeIds = new WeakMap<Probe, number>();
let nextProbeId = 0;

/** `select case when exists (...) then 1 else 0 end as p0, ...` with no FROM, which every dialect takes. */
function probeQuery(db: Db | Tx, asked: Probe[]): CompiledQuery {
  const adapter = db.getExecutor().adapter;
  let cache = probeQueries.get(adapter);
  if (!cache) probeQueries.set(adapter, (cache = new Map()));
  const key = asked
    .map((p) => {
      if (!probeIds.has(p)) probeIds.set(p, nextProbeId++);
      return probeIds.get(p);
    })
    .join(',');
  let q = cache.get(key);
  if (!q) {
    q = db
      .selectNoFrom((eb) =>
        asked.map((p, i) => {
          const sub = (eb as Eb).selectFrom(p.table).select(sql.lit(1).as('x'));
          return eb
            .case()
            .when((eb as Eb).exists(p.where ? sub.where(p.where) : sub))
            .then(sql.lit(1))
            .else(sql.lit(0))
            .end()
            .as(`p${i}`);
        }),
      )
      .compile();
    cache.set(key, q);
  }
  return q;
}
/** The plan for the tables a database at `revision` has (none past 2.17's for null or unknown). */
export function planFor(revision: string | null): PurgePlan {
  const have = new Set(revision ? tablesAt(revision) : []);
  const ok = (e: Entry) => have.has(e.table) && (e.needs ?? []).every((t) => have.has(t));
  const run = RUN_ENTRIES.filter(ok);
  const experiment = EXPERIMENT_ENTRIES.filter(ok);
  return {
    tables: [...new Set([...run, ...experiment].map((e) => e.table))],
    run: (ids) => bind(run, ids),
    experiment: (ids) => bind(experiment, ids),
    artifacts: async (db, ids) => {
      const out: OwnedArtifact[] = [];
      for (const src of ARTIFACT_SOURCES) if (have.has(src.table)) out.push(...(await src.list(db, ids)));
      return out;
    },
  };
}

/** The plan for the database behind `db`, read from its `alembic_version`. */
export async function purgePlan(db: Db | Tx): Promise<PurgePlan> {
  return planFor(await currentRevision(db as Db));
}

/**
 * Purging at mlf's head revision (MLflow 3's tables): every row tied to a purged run or experiment
 * goes, in an order each dialect's foreign keys accept, and rows that only mention them stay.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { HEAD_REVISION } from '../../src/stores/sql/migrate/index.js';
import { planFor } from '../../src/stores/sql/purge-tables.js';
import { purgeExperimentsSql, purgeRunsSql } from '../../src/stores/sql/purge.js';
import type { Db } from '../../src/stores/sql/dialects/dialect.js';
import { addExperiment, addRuns, addTrace, headDatabase, describeAtHead } from './support.js';

const NEW_TABLES = [
  'logged_models',
  'logged_model_params',
  'logged_model_tags',
  'logged_model_metrics',
  'assessments',
  'spans',
  'entity_associations',
  'trace_metrics',
  'span_metrics',
  'online_scoring_configs',
  'scorer_versions',
  'scorers',
  // 76601a5f987d … b7e4c1a90f23 (their rows: purge-mlflow3-late.test.ts)
  'issues',
  'label_schemas',
  'review_queues',
  'review_queue_items',
  'review_queue_users',
  'review_queue_label_schemas',
  'guardrails',
];

/** Every foreign key that points at a row a purge removes: [child, column, parent, column]. */
const FKS: [string, string, string, string][] = [
  ['logged_models', 'experiment_id', 'experiments', 'experiment_id'],
  ['logged_model_params', 'experiment_id', 'experiments', 'experiment_id'],
  ['logged_model_params', 'model_id', 'logged_models', 'model_id'],
  ['logged_model_tags', 'experiment_id', 'experiments', 'experiment_id'],
  ['logged_model_tags', 'model_id', 'logged_models', 'model_id'],
  ['logged_model_metrics', 'experiment_id', 'experiments', 'experiment_id'],
  ['logged_model_metrics', 'model_id', 'logged_models', 'model_id'],
  ['logged_model_metrics', 'run_id', 'runs', 'run_uuid'],
  ['assessments', 'trace_id', 'trace_info', 'request_id'],
  ['spans', 'trace_id', 'trace_info', 'request_id'],
  ['spans', 'experiment_id', 'experiments', 'experiment_id'],
  ['trace_info', 'experiment_id', 'experiments', 'experiment_id'],
  ['trace_tags', 'request_id', 'trace_info', 'request_id'],
  ['trace_request_metadata', 'request_id', 'trace_info', 'request_id'],
  ['input_tags', 'input_uuid', 'inputs', 'input_uuid'],
  ['runs', 'experiment_id', 'experiments', 'experiment_id'],
  ['trace_metrics', 'request_id', 'trace_info', 'request_id'],
  ['span_metrics', 'trace_id', 'spans', 'trace_id'],
  ['scorers', 'experiment_id', 'experiments', 'experiment_id'],
  ['scorer_versions', 'scorer_id', 'scorers', 'scorer_id'],
  ['online_scoring_configs', 'scorer_id', 'scorers', 'scorer_id'],
  ['online_scoring_configs', 'experiment_id', 'experiments', 'experiment_id'],
];

async function orphans(db: Db): Promise<string[]> {
  const out: string[] = [];
  for (const [child, c, parent, p] of FKS) {
    const r = await db
      .selectFrom(`${child} as c`)
      .leftJoin(`${parent} as p`, `c.${c}`, `p.${p}`)
      .select((eb) => eb.fn.countAll().as('n'))
      .where(`p.${p}`, 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(r.n) > 0) out.push(`${child}.${c} → ${parent}: ${r.n}`);
  }
  return out;
}

const uid = () => crypto.randomUUID().replace(/-/g, '');

async function addModel(db: Db, experimentId: number, sourceRun: string): Promise<string> {
  const id = `m-${uid()}`;
  await db
    .insertInto('logged_models')
    .values({
      model_id: id,
      experiment_id: experimentId,
      name: 'model',
      artifact_location: `/tmp/mlruns/${experimentId}/models/${id}/artifacts`,
      creation_timestamp_ms: 1,
      last_updated_timestamp_ms: 1,
      status: 2,
      lifecycle_stage: 'active',
      source_run_id: sourceRun,
    })
    .execute();
  await db.insertInto('logged_model_params').values({ model_id: id, experiment_id: experimentId, param_key: 'p', param_value: '1' }).execute();
  await db.insertInto('logged_model_tags').values({ model_id: id, experiment_id: experimentId, tag_key: 't', tag_value: 'v' }).execute();
  return id;
}

async function addModelMetric(db: Db, modelId: string, experimentId: number, run: string): Promise<void> {
  await db
    .insertInto('logged_model_metrics')
    .values({ model_id: modelId, metric_name: 'acc', metric_timestamp_ms: 1, metric_step: 0, metric_value: 0.5, experiment_id: experimentId, run_id: run })
    .execute();
}

/** An inputs row from a run to a model (log_inputs / log_outputs), optionally with a tag. */
async function addModelIo(db: Db, kind: 'RUN_INPUT' | 'RUN_OUTPUT', run: string, modelId: string, tag = false): Promise<string> {
  const id = uid();
  const destination = kind === 'RUN_INPUT' ? 'MODEL_INPUT' : 'MODEL_OUTPUT';
  await db.insertInto('inputs').values({ input_uuid: id, source_type: kind, source_id: run, destination_type: destination, destination_id: modelId, step: 3 }).execute();
  if (tag) await db.insertInto('input_tags').values({ input_uuid: id, name: 'k', value: 'v' }).execute();
  return id;
}

async function addTraceRows(db: Db, experimentId: number, assessedRun: string): Promise<string> {
  const trace = await addTrace(db, experimentId);
  await db
    .insertInto('assessments')
    .values({
      assessment_id: `a-${uid()}`,
      trace_id: trace,
      name: 'correct',
      assessment_type: 'feedback',
      value: 'true',
      created_timestamp: 1,
      last_updated_timestamp: 1,
      source_type: 'HUMAN',
      run_id: assessedRun,
      valid: 1,
    })
    .execute();
  await db
    .insertInto('spans')
    .values({ trace_id: trace, experiment_id: experimentId, span_id: 's1', status: 'OK', start_time_unix_nano: 1, end_time_unix_nano: 5, content: '{}' })
    .execute();
  await db.insertInto('span_metrics').values({ trace_id: trace, span_id: 's1', key: 'tokens', value: 12 }).execute();
  await db.insertInto('trace_metrics').values({ request_id: trace, key: 'latency', value: 0.5 }).execute();
  return trace;
}

/** A scorer of an experiment with one version and an online scoring config (whose experiment may differ). */
async function addScorer(db: Db, experimentId: number, configExperimentId = experimentId): Promise<string> {
  const id = `sc-${uid()}`;
  await db.insertInto('scorers').values({ experiment_id: experimentId, scorer_name: `s-${id}`, scorer_id: id }).execute();
  await db.insertInto('scorer_versions').values({ scorer_id: id, scorer_version: 1, serialized_scorer: '{}' }).execute();
  await db
    .insertInto('online_scoring_configs')
    .values({ online_scoring_config_id: `osc-${uid()}`, scorer_id: id, sample_rate: 0.5, experiment_id: configExperimentId })
    .execute();
  return id;
}

async function addAssociation(db: Db, sourceType: string, sourceId: string, destinationType: string, destinationId: string): Promise<string> {
  const id = `ea-${uid()}`;
  await db
    .insertInto('entity_associations')
    .values({ association_id: id, source_type: sourceType, source_id: sourceId, destination_type: destinationType, destination_id: destinationId })
    .execute();
  return id;
}

async function addEndpoint(db: Db, experimentId: number): Promise<string> {
  const id = `e-${uid()}`;
  await db.insertInto('endpoints').values({ endpoint_id: id, name: id, created_at: 1, last_updated_at: 1, experiment_id: experimentId }).execute();
  return id;
}

const col = async (db: Db, table: string, column: string, where?: [string, unknown[]]): Promise<string[]> => {
  let q = db.selectFrom(table).select(column);
  if (where) q = q.where(where[0], 'in', where[1]);
  return (await q.execute()).map((r) => String((r as Record<string, unknown>)[column])).sort();
};

describe('the purge plan follows the revision', () => {
  it('has no MLflow 3 table at 2.17, the logged-model tables from 3.0, and all of them at head', () => {
    expect(planFor('f5a4f2784254').tables).toEqual([]);
    expect(planFor(null).tables).toEqual([]);
    expect(planFor('400f98739977').tables.sort()).toEqual(['input_tags', 'inputs', 'logged_model_metrics', 'logged_model_params', 'logged_model_tags', 'logged_models']);
    expect(planFor(HEAD_REVISION).tables.sort()).toEqual([...NEW_TABLES, 'input_tags', 'inputs'].sort());
    // Each table from the revision that creates it: scorers (534353b11cbc) before online_scoring_configs (2c33131f4dae).
    expect(planFor('534353b11cbc').tables).toContain('scorers');
    expect(planFor('534353b11cbc').tables).not.toContain('online_scoring_configs');
    expect(planFor('de4033877273').tables).toContain('entity_associations');
  });

  it('purges a 2.17 database (no MLflow 3 tables) without touching them', async () => {
    const h = await headDatabase('sqlite');
    try {
      const exp = await addExperiment(h.db, { stage: 'deleted' });
      await addRuns(h.db, 2, { experimentId: exp.id, datasets: true });
      await addTrace(h.db, exp.id);
      const res = await purgeExperimentsSql(h.db, h.conn.dialect, [String(exp.id)]);
      expect(res.rows).toMatchObject({ experiments: 1, runs: 2, inputs: 2, trace_info: 1 });
      expect(Object.keys(res.rows).filter((t) => NEW_TABLES.includes(t))).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

await describeAtHead((dialect) => `purge at ${HEAD_REVISION} on ${dialect}`, (live, dialect) => {
  it('removes every row tied to a purged run or experiment and keeps the rest', async () => {
    const db = live.conn.db;
    expect((await sql<{ v: string }>`select version_num as v from alembic_version`.execute(db)).rows[0]!.v).toBe(HEAD_REVISION);
    const gone = await addExperiment(db, { stage: 'deleted' });
    const kept = await addExperiment(db);
    const [r1] = await addRuns(db, 1, { experimentId: gone.id });
    const [r2] = await addRuns(db, 1, { experimentId: kept.id });
    const [r3] = await addRuns(db, 1, { experimentId: kept.id, stage: 'active' });

    const m1 = await addModel(db, gone.id, r1!);
    const m2 = await addModel(db, kept.id, r2!); // source_run_id only mentions r2: the model stays
    await addModelMetric(db, m1, gone.id, r1!);
    await addModelMetric(db, m1, gone.id, r3!); // goes with m1's experiment, though r3 stays
    await addModelMetric(db, m2, kept.id, r1!); // goes with r1
    await addModelMetric(db, m2, kept.id, r2!); // goes with r2
    await addModelMetric(db, m2, kept.id, r3!); // stays
    await addModelIo(db, 'RUN_OUTPUT', r1!, m1, true);
    await addModelIo(db, 'RUN_INPUT', r1!, m1);
    await addModelIo(db, 'RUN_OUTPUT', r2!, m2, true);
    await addModelIo(db, 'RUN_INPUT', r2!, m2);
    const keptOut = await addModelIo(db, 'RUN_OUTPUT', r3!, m2, true);
    const keptMention = await addModelIo(db, 'RUN_INPUT', r3!, m1); // names a purged model, no FK: stays
    const t1 = await addTraceRows(db, gone.id, r1!);
    const t2 = await addTraceRows(db, kept.id, r2!); // its assessment only mentions r2: stays
    const scGone = await addScorer(db, gone.id);
    const scKept = await addScorer(db, kept.id);
    const scKeptConfigGone = await addScorer(db, kept.id, gone.id); // its config names the purged experiment: the config goes
    const eaKept = await addAssociation(db, 'evaluation_dataset', 'd1', 'experiment', String(kept.id));
    await addAssociation(db, 'evaluation_dataset', 'd1', 'experiment', String(gone.id));
    await addAssociation(db, 'run', r1!, 'model', m1);
    await addAssociation(db, 'model', m2, 'run', r2!);
    const eaR3 = await addAssociation(db, 'run', r3!, 'model', m2);
    const epGone = await addEndpoint(db, gone.id); // detached (experiment_id NULL), not deleted
    const epKept = await addEndpoint(db, kept.id);
    await db.insertInto('registered_models').values({ name: `rm-${gone.id}`, creation_time: 1, last_updated_time: 1 }).execute();
    await db
      .insertInto('model_versions')
      .values({ name: `rm-${gone.id}`, version: 1, creation_time: 1, last_updated_time: 1, current_stage: 'None', source: `models:/${m1}`, run_id: r1, status: 'READY' })
      .execute();

    const dryRuns = await purgeRunsSql(db, live.conn.dialect, [r2!], { dryRun: true });
    expect(dryRuns.rows).toMatchObject({
      runs: 1,
      logged_model_metrics: 1,
      inputs: 2,
      input_tags: 1,
      assessments: 0,
      spans: 0,
      logged_models: 0,
      entity_associations: 1,
      scorers: 0,
      trace_metrics: 0,
    });
    const dryExp = await purgeExperimentsSql(db, live.conn.dialect, [String(gone.id)], { dryRun: true });
    const expected = {
      experiments: 1,
      runs: 1,
      logged_models: 1,
      logged_model_params: 1,
      logged_model_tags: 1,
      logged_model_metrics: 3,
      inputs: 2,
      input_tags: 1,
      trace_info: 1,
      trace_tags: 1,
      trace_request_metadata: 1,
      assessments: 1,
      spans: 1,
      experiment_tags: 1,
      trace_metrics: 1,
      span_metrics: 1,
      scorers: 1,
      scorer_versions: 1,
      online_scoring_configs: 2,
      entity_associations: 2,
    };
    expect(dryExp.rows).toMatchObject(expected);
    expect(await col(db, 'logged_models', 'model_id')).toEqual([m1, m2].sort());

    const runs = await purgeRunsSql(db, live.conn.dialect, [r2!]);
    expect(runs.rows).toEqual(dryRuns.rows);
    const exps = await purgeExperimentsSql(db, live.conn.dialect, [String(gone.id)]);
    expect(exps.rows).toMatchObject(expected);

    expect(await col(db, 'experiments', 'experiment_id', ['experiment_id', [gone.id, kept.id]])).toEqual([String(kept.id)]);
    expect(await col(db, 'runs', 'run_uuid', ['run_uuid', [r1, r2, r3]])).toEqual([r3]);
    expect(await col(db, 'logged_models', 'model_id')).toEqual([m2]);
    expect(await col(db, 'logged_model_params', 'model_id')).toEqual([m2]);
    expect(await col(db, 'logged_model_tags', 'model_id')).toEqual([m2]);
    expect(await col(db, 'logged_model_metrics', 'run_id')).toEqual([r3]);
    expect(await col(db, 'logged_model_metrics', 'model_id')).toEqual([m2]);
    expect(await col(db, 'inputs', 'input_uuid')).toEqual([keptOut, keptMention].sort());
    expect(await col(db, 'input_tags', 'input_uuid')).toEqual([keptOut]);
    expect(await col(db, 'trace_info', 'request_id', ['request_id', [t1, t2]])).toEqual([t2]);
    expect(await col(db, 'assessments', 'run_id')).toEqual([r2]);
    expect(await col(db, 'spans', 'trace_id')).toEqual([t2]);
    expect(await col(db, 'registered_models', 'name')).toContain(`rm-${gone.id}`);
    expect(await col(db, 'model_versions', 'run_id')).toContain(r1);
    expect(await col(db, 'trace_metrics', 'request_id')).toEqual([t2]);
    expect(await col(db, 'span_metrics', 'trace_id')).toEqual([t2]);
    expect(await col(db, 'scorers', 'scorer_id')).toEqual([scKept, scKeptConfigGone].sort());
    expect(await col(db, 'scorer_versions', 'scorer_id')).toEqual([scKept, scKeptConfigGone].sort());
    expect(await col(db, 'online_scoring_configs', 'scorer_id')).toEqual([scKept]);
    expect(await col(db, 'entity_associations', 'association_id')).toEqual([eaKept, eaR3].sort());
    expect(await col(db, 'endpoints', 'endpoint_id')).toEqual([epGone, epKept].sort());
    const endpoints = await db.selectFrom('endpoints').select(['endpoint_id', 'experiment_id']).execute();
    expect(Object.fromEntries(endpoints.map((e) => [e.endpoint_id, e.experiment_id === null ? null : Number(e.experiment_id)]))).toEqual({
      [epGone]: null,
      [epKept]: kept.id,
    });

    expect(await orphans(db)).toEqual([]);
    if (dialect === 'sqlite') expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
  });
}, 120_000);

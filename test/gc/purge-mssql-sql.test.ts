/**
 * SQL Server has no server here: run the purge against a recording driver with SQL Server's query
 * compiler and check the statements it sends (and that they stay within its parameter limit).
 */
import { describe, expect, it } from 'vitest';
import { Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { purgeExperimentsSql, purgeRunsSql } from '../../src/stores/sql/purge.js';
import { mssqlDialect } from '../../src/stores/sql/dialects/mssql/index.js';
import { HEAD_REVISION } from '../../src/stores/sql/migrate/head.js';
import { runId } from './support.js';

/**
 * `revision` is what `alembic_version` answers (none: no row, so only 2.17's tables are purged);
 * `empty`, the tables the one-query emptiness probe finds empty (unset: the probe gets no row,
 * and every target is kept).
 */
function recordingDb(stage: (table: string, id: unknown) => string | undefined, revision?: string, empty?: Set<string>) {
  const log: CompiledQuery[] = [];
  const conn: DatabaseConnection = {
    async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      log.push(q);
      const text = q.sql;
      if (/from alembic_version/.test(text)) return { rows: (revision ? [{ version_num: revision }] : []) as R[] };
      if (/^select case when exists/.test(text)) {
        if (!empty) return { rows: [] };
        const tables = [...text.matchAll(/exists \(select 1 as "x" from "(\w+)"/g)].map((m) => m[1]!);
        return { rows: [Object.fromEntries(tables.map((t, i) => [`p${i}`, empty.has(t) ? 0 : 1]))] as R[] };
      }
      if (/^select "run_uuid", "lifecycle_stage" from "runs"/.test(text) || /^select "run_uuid" from "runs" where "run_uuid" in/.test(text)) {
        return { rows: q.parameters.filter((p) => typeof p === 'string' && stage('runs', p)).map((p) => ({ run_uuid: p, lifecycle_stage: stage('runs', p) })) as R[] };
      }
      if (/^select "experiment_id", "lifecycle_stage" from "experiments"/.test(text) || /^select "experiment_id" from "experiments"/.test(text)) {
        return { rows: q.parameters.filter((p) => typeof p === 'number' && stage('experiments', p)).map((p) => ({ experiment_id: p, lifecycle_stage: stage('experiments', p) })) as R[] };
      }
      if (/^select "run_uuid" from "runs" where "experiment_id"/.test(text)) return { rows: [] };
      return { rows: [], numAffectedRows: 1n };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('not used');
    },
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      return conn;
    },
    async beginTransaction() {
      log.push({ sql: 'begin', parameters: [] } as unknown as CompiledQuery);
    },
    async commitTransaction() {
      log.push({ sql: 'commit', parameters: [] } as unknown as CompiledQuery);
    },
    async rollbackTransaction() {
      log.push({ sql: 'rollback', parameters: [] } as unknown as CompiledQuery);
    },
    async releaseConnection() {},
    async destroy() {},
  };
  const db = new Kysely<any>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => driver,
      createIntrospector: (d) => new MssqlIntrospector(d),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
  });
  return { db, log };
}

describe('purge compiled for SQL Server', () => {
  it('deletes children before runs, in one transaction per chunk, within the parameter limit', async () => {
    const ids = Array.from({ length: 700 }, runId);
    const { db, log } = recordingDb(() => 'deleted');
    await purgeRunsSql(db, mssqlDialect, ids);
    const deletes = log.filter((q) => q.sql.startsWith('delete')).map((q) => /^delete from "(\w+)"/.exec(q.sql)![1]);
    expect(deletes).toEqual([...['input_tags', 'inputs', 'latest_metrics', 'metrics', 'params', 'tags', 'runs'], ...['input_tags', 'inputs', 'latest_metrics', 'metrics', 'params', 'tags', 'runs']]);
    expect(log.filter((q) => q.sql === 'begin')).toHaveLength(2);
    expect(log.filter((q) => q.sql === 'commit')).toHaveLength(2);
    for (const q of log) expect(q.parameters.length).toBeLessThanOrEqual(mssqlDialect.capabilities.maxParameters);
    const inputTags = log.find((q) => q.sql.startsWith('delete from "input_tags"'))!;
    expect(inputTags.sql).toMatch(
      /^delete from "input_tags" where "input_uuid" in \(select "input_uuid" from "inputs" where \(?"destination_type" = @1 and "destination_id" in \(@2, /,
    );
    // No LIMIT (which Kysely compiles wrongly for SQL Server) and no FOR UPDATE anywhere.
    for (const q of log) expect(q.sql).not.toMatch(/\blimit\b|for update/i);
  });

  it(`at ${HEAD_REVISION}, asks in one query per chunk which MLflow 3 tables hold rows and skips the empty ones`, async () => {
    const ids = Array.from({ length: 700 }, runId);
    const runs = recordingDb(() => 'deleted', HEAD_REVISION, new Set(['entity_associations', 'logged_model_metrics', 'inputs']));
    await purgeRunsSql(runs.db, mssqlDialect, ids);
    const probes = runs.log.filter((q) => q.sql.startsWith('select case when exists'));
    expect(probes).toHaveLength(2);
    expect(probes[0]!.sql).toBe(
      'select case when exists (select 1 as "x" from "entity_associations") then 1 else 0 end as "p0", ' +
        'case when exists (select 1 as "x" from "logged_model_metrics") then 1 else 0 end as "p1", ' +
        'case when exists (select 1 as "x" from "inputs" where "source_type" in (@1, @2)) then 1 else 0 end as "p2"',
    );
    const deletes = runs.log.filter((q) => q.sql.startsWith('delete')).map((q) => /^delete from "(\w+)"/.exec(q.sql)![1]);
    const perChunk = ['input_tags', 'inputs', 'latest_metrics', 'metrics', 'params', 'tags', 'runs'];
    expect(deletes).toEqual([...perChunk, ...perChunk]);
  });

  it('purges an experiment’s traces, datasets and tags before the experiment row', async () => {
    const { db, log } = recordingDb((t) => (t === 'experiments' ? 'deleted' : undefined));
    await purgeExperimentsSql(db, mssqlDialect, ['5']);
    const deletes = log.filter((q) => q.sql.startsWith('delete')).map((q) => /^delete from "(\w+)"/.exec(q.sql)![1]);
    expect(deletes).toEqual(['input_tags', 'inputs', 'datasets', 'experiment_tags', 'trace_request_metadata', 'trace_tags', 'trace_info', 'experiments']);
    expect(log.find((q) => q.sql.startsWith('delete from "experiments"'))!.sql).toBe(
      'delete from "experiments" where ("experiment_id" in (@1) and "lifecycle_stage" = @2)',
    );
  });

  it(`at ${HEAD_REVISION}, deletes MLflow 3's rows of runs and experiments before what they reference`, async () => {
    const ids = Array.from({ length: 700 }, runId);
    const runs = recordingDb(() => 'deleted', HEAD_REVISION);
    await purgeRunsSql(runs.db, mssqlDialect, ids);
    const runDeletes = runs.log.filter((q) => q.sql.startsWith('delete')).map((q) => /^delete from "(\w+)"/.exec(q.sql)![1]);
    const perChunk = ['entity_associations', 'logged_model_metrics', 'input_tags', 'inputs', 'input_tags', 'inputs', 'latest_metrics', 'metrics', 'params', 'tags', 'runs'];
    expect(runDeletes).toEqual([...perChunk, ...perChunk]);
    for (const q of runs.log) expect(q.parameters.length).toBeLessThanOrEqual(mssqlDialect.capabilities.maxParameters);
    expect(runs.log.find((q) => q.sql.startsWith('delete from "inputs"'))!.sql).toMatch(
      /^delete from "inputs" where \("source_type" in \(@1, @2\) and "source_id" in \(@3, /,
    );

    const exps = recordingDb((t) => (t === 'experiments' ? 'deleted' : undefined), HEAD_REVISION);
    await purgeExperimentsSql(exps.db, mssqlDialect, ['5']);
    const expDeletes = exps.log.filter((q) => q.sql.startsWith('delete')).map((q) => /^delete from "(\w+)"/.exec(q.sql)![1]);
    expect(expDeletes).toEqual([
      'logged_model_metrics',
      'logged_model_params',
      'logged_model_tags',
      'logged_models',
      'assessments',
      'trace_metrics',
      'span_metrics',
      'spans',
      'online_scoring_configs',
      'guardrails',
      'scorer_versions',
      'scorers',
      'entity_associations',
      'review_queue_items',
      'review_queue_users',
      'review_queue_label_schemas',
      'review_queues',
      'label_schemas',
      'issues',
      'input_tags',
      'inputs',
      'datasets',
      'experiment_tags',
      'trace_request_metadata',
      'trace_tags',
      'trace_info',
      'experiments',
    ]);
    expect(exps.log.find((q) => q.sql.startsWith('delete from "spans"'))!.sql).toBe(
      'delete from "spans" where ("experiment_id" in (@1) or "trace_id" in (select "request_id" from "trace_info" where "experiment_id" in (@2)))',
    );
    // No row values on SQL Server: a span's metrics are matched on both key columns by EXISTS.
    expect(exps.log.find((q) => q.sql.startsWith('delete from "span_metrics"'))!.sql).toMatch(
      /^delete from "span_metrics" where exists \(select "s"\."span_id" from "spans" as "s" where "s"\."trace_id" = "span_metrics"\."trace_id" and "s"\."span_id" = "span_metrics"\."span_id" and /,
    );
    // entity_associations holds ids as text: the experiment id is bound as a string.
    const ea = exps.log.find((q) => q.sql.startsWith('delete from "entity_associations"') && q.parameters.includes('experiment'))!;
    expect(ea.parameters).toEqual(['experiment', '5', 'experiment', '5']);
  });

  it('refuses an active run before sending any delete', async () => {
    const [a, b] = [runId(), runId()];
    const { db, log } = recordingDb((_t, id) => (id === b ? 'active' : 'deleted'));
    await expect(purgeRunsSql(db, mssqlDialect, [a!, b!])).rejects.toThrow(`Run ${b} is not in \`deleted\` lifecycle stage.`);
    expect(log.some((q) => q.sql.startsWith('delete') || q.sql.startsWith('update'))).toBe(false);
  });
});

/**
 * Logged models on MLflow 3's tables (`logged_models` and its `_params`, `_tags`, `_metrics`), for
 * every SQL dialect. Semantics are MLflow's SqlAlchemyStore's, with two faults fixed on purpose:
 * - filters are EXISTS subqueries, so a model with several matching metric rows is returned once
 *   (MLflow's join returns it once per row);
 * - ordering by a metric takes one latest row per model (MLflow's rank() may tie and repeat a model).
 * A database still at MLflow 2.x's schema has no such tables: every call answers one clear
 * BAD_REQUEST telling how to upgrade.
 */
import { sql, type RawBuilder } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import type { KeyValue, PagedList } from '../../../tracking/entities.js';
import {
  LOGGED_MODEL_STATUS_CODES,
  loggedModelStatusFromCode,
  modelArtifactUri,
  modelNotFound,
  modelTagNotFound,
  newLoggedModelId,
  checkCreateLoggedModel,
  modelParamsTaken,
  validateFinalStatus,
  validateModelKeyValues,
  type CreateLoggedModelOptions,
  type LoggedModel,
  type LoggedModelMetric,
  type LoggedModelStatus,
  type LoggedModelStore,
  type SearchLoggedModelsOptions,
} from '../../../tracking/logged-models.js';
import { checkLoggedModelSearch, loggedModelAttribute, type LoggedModelComparison } from '../../../tracking/search/logged-models.js';
import { EXPERIMENT_NOT_FOUND, RUN_NOT_FOUND, generateRandomRunName, newRunId } from '../../common.js';
import { mustBeActive } from '../../../tracking/messages.js';
import type { Db, SqlDialect, Tx } from '../dialects/dialect.js';
import { guardDriver } from '../driver-errors.js';
import { sqlExperimentId } from '../rows.js';
import { pagingClause } from '../search-sql.js';

type Sql = RawBuilder<unknown>;
const ID_CHUNK = 500;

interface ModelRow {
  model_id: string;
  experiment_id: number | string;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number | string;
  last_updated_timestamp_ms: number | string;
  status: number | string;
  lifecycle_stage: string | null;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

export class SqlLoggedModels implements LoggedModelStore {
  private ready?: Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly dialect: SqlDialect,
  ) {}

  /**
   * Refuses (once checked, cheaply) a database whose schema predates logged models. `db`: where to
   * read the revision (the caller's transaction, so SQLite's one connection is not asked twice).
   */
  requireSchema(db: Db | Tx = this.db): Promise<void> {
    return (this.ready ??= (async () => {
      const { currentRevision, hasLoggedModels, LOGGED_MODELS_REVISION } = await import('../migrate/head.js');
      const rev = await currentRevision(db as Db);
      if (!hasLoggedModels(rev)) {
        throw new MlfError(
          `Logged models need the database at MLflow 3's schema (revision ${LOGGED_MODELS_REVISION} or later); this one is at ${rev}. Run \`mlf db upgrade\` to upgrade it.`,
          'BAD_REQUEST',
        );
      }
    })().catch((e) => {
      this.ready = undefined;
      throw e;
    }));
  }

  /** Checks the schema, then runs `fn`, mapping driver errors as the SQL store does. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.requireSchema();
    return guardDriver(this.dialect, fn);
  }

  private async modelRow(db: Db | Tx, modelId: string): Promise<ModelRow | undefined> {
    return (await db.selectFrom('logged_models').selectAll().where('model_id', '=', modelId).execute())[0] as ModelRow | undefined;
  }

  /** The model, active (deleted ones are gone for every call but `get(…, true)`). */
  private async requireModel(db: Db | Tx, modelId: string): Promise<ModelRow> {
    const row = await this.modelRow(db, modelId);
    if (!row || row.lifecycle_stage === 'deleted') throw modelNotFound(modelId);
    return row;
  }

  private async hydrate(rows: ModelRow[]): Promise<LoggedModel[]> {
    const ids = rows.map((r) => r.model_id);
    const tags = new Map<string, KeyValue[]>();
    const params = new Map<string, KeyValue[]>();
    const metrics = new Map<string, LoggedModelMetric[]>();
    const push = <T>(m: Map<string, T[]>, k: string, v: T) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const part = ids.slice(i, i + ID_CHUNK);
      for (const r of await this.db.selectFrom('logged_model_tags').select(['model_id', 'tag_key', 'tag_value']).where('model_id', 'in', part).orderBy('tag_key').execute()) {
        push(tags, r.model_id as string, { key: r.tag_key as string, value: r.tag_value as string });
      }
      for (const r of await this.db.selectFrom('logged_model_params').select(['model_id', 'param_key', 'param_value']).where('model_id', 'in', part).orderBy('param_key').execute()) {
        push(params, r.model_id as string, { key: r.param_key as string, value: r.param_value as string });
      }
      const ms = await this.db
        .selectFrom('logged_model_metrics')
        .selectAll()
        .where('model_id', 'in', part)
        .orderBy('metric_name')
        .orderBy('metric_step')
        .orderBy('metric_timestamp_ms')
        .execute();
      for (const r of ms as Record<string, unknown>[]) {
        push(metrics, r.model_id as string, {
          key: r.metric_name as string,
          value: r.metric_value === null ? NaN : Number(r.metric_value),
          timestamp: Number(r.metric_timestamp_ms),
          step: Number(r.metric_step),
          runId: r.run_id as string,
          modelId: r.model_id as string,
          datasetName: (r.dataset_name as string | null) ?? undefined,
          datasetDigest: (r.dataset_digest as string | null) ?? undefined,
        });
      }
    }
    return rows.map((r) => ({
      info: {
        modelId: r.model_id,
        experimentId: String(r.experiment_id),
        name: r.name,
        creationTimestampMs: Number(r.creation_timestamp_ms),
        lastUpdatedTimestampMs: Number(r.last_updated_timestamp_ms),
        artifactUri: r.artifact_location,
        status: loggedModelStatusFromCode(Number(r.status)),
        modelType: r.model_type ?? undefined,
        sourceRunId: r.source_run_id ?? undefined,
        statusMessage: r.status_message ?? undefined,
        tags: tags.get(r.model_id) ?? [],
      },
      data: { params: params.get(r.model_id) ?? [], metrics: metrics.get(r.model_id) ?? [] },
    }));
  }

  private async one(modelId: string): Promise<LoggedModel> {
    const row = await this.modelRow(this.db, modelId);
    if (!row) throw modelNotFound(modelId);
    return (await this.hydrate([row]))[0]!;
  }

  async create(opts: CreateLoggedModelOptions): Promise<LoggedModel> {
    const { params, tags } = checkCreateLoggedModel(opts);
    return this.run(async () => {
      const expId = sqlExperimentId(opts.experimentId);
      const exp = expId === null ? undefined : (await this.db.selectFrom('experiments').select(['artifact_location', 'lifecycle_stage']).where('experiment_id', '=', expId).execute())[0];
      if (!exp || expId === null) throw EXPERIMENT_NOT_FOUND(opts.experimentId);
      if (exp.lifecycle_stage !== 'active') throw mustBeActive('experiment', opts.experimentId, exp.lifecycle_stage as string);
      const modelId = newLoggedModelId();
      const now = Date.now();
      await this.dialect.writeTransaction(this.db, async (tx) => {
        await tx
          .insertInto('logged_models')
          .values({
            model_id: modelId,
            experiment_id: expId,
            name: opts.name ?? generateRandomRunName(),
            artifact_location: modelArtifactUri(exp.artifact_location as string, modelId),
            creation_timestamp_ms: now,
            last_updated_timestamp_ms: now,
            status: LOGGED_MODEL_STATUS_CODES.LOGGED_MODEL_PENDING,
            lifecycle_stage: 'active',
            model_type: opts.modelType ?? null,
            source_run_id: opts.sourceRunId || null,
            status_message: null,
          })
          .execute();
        if (params.length) {
          await tx.insertInto('logged_model_params').values(params.map((p) => ({ model_id: modelId, experiment_id: expId, param_key: p.key, param_value: p.value }))).execute();
        }
        if (tags.length) {
          await tx.insertInto('logged_model_tags').values(tags.map((t) => ({ model_id: modelId, experiment_id: expId, tag_key: t.key, tag_value: t.value }))).execute();
        }
      });
      return this.one(modelId);
    });
  }

  async get(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    return this.run(async () => {
      const row = await this.modelRow(this.db, modelId);
      if (!row || (row.lifecycle_stage === 'deleted' && !allowDeleted)) throw modelNotFound(modelId);
      return (await this.hydrate([row]))[0]!;
    });
  }

  async finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    validateFinalStatus(status);
    return this.run(async () => {
      await this.dialect.writeTransaction(this.db, async (tx) => {
        await this.requireModel(tx, modelId);
        await tx
          .updateTable('logged_models')
          .set({ status: LOGGED_MODEL_STATUS_CODES[status], last_updated_timestamp_ms: Date.now() })
          .where('model_id', '=', modelId)
          .execute();
      });
      return this.one(modelId);
    });
  }

  async delete(modelId: string): Promise<void> {
    return this.run(async () => {
      await this.dialect.writeTransaction(this.db, async (tx) => {
        await this.requireModel(tx, modelId);
        await tx.updateTable('logged_models').set({ lifecycle_stage: 'deleted', last_updated_timestamp_ms: Date.now() }).where('model_id', '=', modelId).execute();
      });
    });
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    validateModelKeyValues('tags', tags);
    return this.run(async () => {
      await this.dialect.writeTransaction(this.db, async (tx) => {
        const row = await this.requireModel(tx, modelId);
        if (!tags.length) return;
        const rows = tags.map((t) => ({ model_id: modelId, experiment_id: row.experiment_id, tag_key: t.key, tag_value: t.value }));
        await this.dialect.upsert(tx, 'logged_model_tags', rows, ['model_id', 'tag_key'], ['tag_value']);
      });
    });
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    return this.run(async () => {
      await this.dialect.writeTransaction(this.db, async (tx) => {
        await this.requireModel(tx, modelId);
        const r = await tx.deleteFrom('logged_model_tags').where('model_id', '=', modelId).where('tag_key', '=', key).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) throw modelTagNotFound(modelId, key);
      });
    });
  }

  async logParams(modelId: string, params: KeyValue[]): Promise<void> {
    validateModelKeyValues('params', params);
    return this.run(async () => {
      await this.dialect.writeTransaction(this.db, async (tx) => {
        const row = await this.requireModel(tx, modelId);
        if (!params.length) return;
        const keys = params.map((p) => p.key);
        const taken = await tx.selectFrom('logged_model_params').select('param_key').where('model_id', '=', modelId).where('param_key', 'in', keys).execute();
        if (taken.length) throw modelParamsTaken(modelId, taken.map((t) => t.param_key as string));
        await tx.insertInto('logged_model_params').values(params.map((p) => ({ model_id: modelId, experiment_id: row.experiment_id, param_key: p.key, param_value: p.value }))).execute();
      });
    });
  }

  async search(opts: SearchLoggedModelsOptions): Promise<PagedList<LoggedModel>> {
    const { datasets, maxResults, comparisons, orderBy, offset, page } = checkLoggedModelSearch(opts);
    const order = this.orderBy(orderBy);
    const expIds = opts.experimentIds.map(sqlExperimentId).filter((x): x is number => x !== null);
    if (!expIds.length) return { items: [] };
    return this.run(async () => {
      const dsCond = datasets.length
        ? sql`(${sql.join(
            datasets.map((d) => (d.datasetDigest ? sql`(m.dataset_name = ${d.datasetName} and m.dataset_digest = ${d.datasetDigest})` : sql`m.dataset_name = ${d.datasetName}`)),
            sql` or `,
          )})`
        : undefined;
      let q = this.db
        .selectFrom('logged_models')
        .selectAll('logged_models')
        .where('logged_models.lifecycle_stage', '<>', 'deleted')
        .where('logged_models.experiment_id', 'in', expIds);
      for (const c of comparisons) q = q.where(this.condition(c, dsCond) as never);
      if (dsCond && !comparisons.some((c) => c.entity === 'metric')) {
        q = q.where(sql<boolean>`exists (select 1 from logged_model_metrics m where m.model_id = logged_models.model_id and ${dsCond})` as never);
      }
      for (const o of order) q = q.orderBy(o as never);
      const rows = (await q.modifyEnd(pagingClause(this.dialect, maxResults + 1, offset)).execute()) as ModelRow[];
      return page(await this.hydrate(rows.slice(0, maxResults)), rows.length > maxResults);
    });
  }

  /** The run must exist and be active (MLflow's `_check_run_is_active`). */
  private async requireActiveRun(tx: Db | Tx, runId: string): Promise<void> {
    const row = (await tx.selectFrom('runs').select('lifecycle_stage').where('run_uuid', '=', runId).execute())[0];
    if (!row) throw RUN_NOT_FOUND(runId);
    if (row.lifecycle_stage !== 'active') throw mustBeActive('run', runId, row.lifecycle_stage as string);
  }

  /** MLflow's rows: `inputs` (RUN_OUTPUT run → MODEL_OUTPUT model, with the step). */
  async logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<void> {
    return this.run(async () => {
      await this.dialect.writeTransaction(this.db, async (tx) => {
        await this.requireActiveRun(tx, runId);
        if (!models.length) return;
        const rows = models.map((m) => ({ input_uuid: newRunId(), source_type: 'RUN_OUTPUT', source_id: runId, destination_type: 'MODEL_OUTPUT', destination_id: m.modelId, step: m.step }));
        await tx.insertInto('inputs').values(rows).execute();
      });
    });
  }

  /** MLflow's rows: `inputs` (RUN_INPUT run → MODEL_INPUT model); a link already there is kept once. */
  async logModelInputs(runId: string, modelIds: string[]): Promise<void> {
    return this.run(async () => {
      await this.dialect.writeTransaction(this.db, async (tx) => {
        await this.requireActiveRun(tx, runId);
        const ids = [...new Set(modelIds)];
        if (!ids.length) return;
        const have = await tx
          .selectFrom('inputs')
          .select('destination_id')
          .where('source_type', '=', 'RUN_INPUT')
          .where('source_id', '=', runId)
          .where('destination_type', '=', 'MODEL_INPUT')
          .where('destination_id', 'in', ids)
          .execute();
        const known = new Set(have.map((h) => h.destination_id as string));
        const rows = ids.filter((id) => !known.has(id)).map((id) => ({ input_uuid: newRunId(), source_type: 'RUN_INPUT', source_id: runId, destination_type: 'MODEL_INPUT', destination_id: id, step: 0 }));
        if (rows.length) await tx.insertInto('inputs').values(rows).execute();
      });
    });
  }

  private stringCondition(column: Sql, op: LoggedModelComparison['op'], value: string): Sql {
    const d = this.dialect;
    switch (op) {
      case '=':
        return d.eqCaseSensitive(column, value);
      case '!=':
        return sql`not (${d.eqCaseSensitive(column, value)})`;
      case 'LIKE':
        return d.likeCaseSensitive(column, value);
      case 'ILIKE':
        return d.ilike(column, value);
      default:
        return sql`${column} ${sql.raw(op)} ${value}`;
    }
  }

  private condition(c: LoggedModelComparison, dsCond: Sql | undefined): Sql {
    const op = sql.raw(c.op === '!=' ? '<>' : c.op);
    if (c.entity === 'attribute') {
      const col = sql.ref(`logged_models.${c.key}`);
      if (typeof c.value === 'number') return sql`${col} ${op} ${c.value}`;
      if (c.key === 'status' || c.key === 'experiment_id') {
        // Integer columns: a status is given by name (`LOGGED_MODEL_READY`) or number.
        const n = c.key === 'status' && c.value in LOGGED_MODEL_STATUS_CODES ? LOGGED_MODEL_STATUS_CODES[c.value as LoggedModelStatus] : /^\d+$/.test(c.value) ? Number(c.value) : null;
        if (n === null || c.op === 'LIKE' || c.op === 'ILIKE') return this.stringCondition(sql`cast(${col} as ${sql.raw(this.dialect.name === 'mysql' ? 'char' : 'varchar(32)')})`, c.op, c.value);
        return sql`${col} ${op} ${n}`;
      }
      return this.stringCondition(col, c.op, c.value);
    }
    if (c.entity === 'metric') {
      return sql`exists (select 1 from logged_model_metrics m where m.model_id = logged_models.model_id and m.metric_name = ${c.key} and m.metric_value ${op} ${c.value}${dsCond ? sql` and ${dsCond}` : sql``})`;
    }
    const [table, k, v] = c.entity === 'param' ? ['logged_model_params', 'param_key', 'param_value'] : ['logged_model_tags', 'tag_key', 'tag_value'];
    return sql`exists (select 1 from ${sql.table(table)} x where x.model_id = logged_models.model_id and ${sql.ref(`x.${k}`)} = ${c.key} and ${this.stringCondition(sql.ref(`x.${v}`), c.op, String(c.value))})`;
  }

  /** MLflow's order (fields checked by checkLoggedModelSearch): each field with nulls last, then `creation_timestamp_ms DESC` unless named; `model_id` breaks ties. */
  private orderBy(items: SearchLoggedModelsOptions['orderBy'] & object): Sql[] {
    const out: Sql[] = [];
    let hasCreation = false;
    for (const o of items) {
      const dir = sql.raw(o.ascending ? 'asc' : 'desc');
      let expr: Sql;
      if (!o.fieldName.includes('.')) {
        const name = loggedModelAttribute(o.fieldName);
        if (name === 'creation_timestamp_ms') hasCreation = true;
        expr = sql.ref(`logged_models.${name}`);
      } else {
        const name = o.fieldName.slice('metrics.'.length); // checked: the only entity an order may name
        const ds = [o.datasetName ? sql` and m.dataset_name = ${o.datasetName}` : sql``, o.datasetDigest ? sql` and m.dataset_digest = ${o.datasetDigest}` : sql``];
        expr = sql`(select m.metric_value from logged_model_metrics m where m.model_id = logged_models.model_id and m.metric_name = ${name}${ds[0]}${ds[1]} order by m.metric_timestamp_ms desc, m.metric_step desc ${pagingClause(this.dialect, 1, 0)})`;
      }
      out.push(sql`case when ${expr} is null then 1 else 0 end`, sql`${expr} ${dir}`);
    }
    if (!hasCreation) out.push(sql`logged_models.creation_timestamp_ms desc`);
    out.push(sql`logged_models.model_id asc`);
    return out;
  }
}

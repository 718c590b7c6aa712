/**
 * Reads a database for `mlf db import`: experiments and runs through MLflow's tables in batches of
 * runs (keyset-paged by run id, so memory holds one batch), and the tables of {@link COPIED_TABLES}
 * row by row.
 */
import type { Dataset, DatasetInput, Experiment, Metric, RunInfo } from '../tracking/entities.js';
import { MlfError } from '../lib/errors.js';
import type { SqlConnection } from '../stores/sql/connect.js';
import { EXPERIMENT_COLUMNS, RUN_COLUMNS, datasetFromRow, decodeMetricValue, experimentFromRow, runInfoFromRow, type ExperimentRow, type RunRow } from '../stores/sql/rows.js';
import { pagingClause } from '../stores/sql/search-sql.js';
import { MAX_BATCH_POINTS, inputKeys, type ImportSource, type RunKeys, type SourceRun, type TableCount, type TableRows } from './model.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import { canonDefault } from '../stores/sql/dialects/schema.js';
import { COPIED_TABLES } from './tables.js';
import { sql } from 'kysely';

const ID_CHUNK = 500;

export class SqlSource implements ImportSource {
  readonly kind = 'sql' as const;
  readonly skipped: string[] = [];

  constructor(
    private readonly conn: SqlConnection,
    /** Tables present in the source (from the catalog). */
    private readonly tables: string[],
  ) {}

  private get db() {
    return this.conn.db;
  }

  async *experiments(): AsyncIterable<Experiment> {
    const rows = (await this.db.selectFrom('experiments').select(EXPERIMENT_COLUMNS).orderBy('experiment_id').execute()) as ExperimentRow[];
    const tags = await this.db.selectFrom('experiment_tags').select(['experiment_id', 'key', 'value']).execute();
    for (const r of rows) yield experimentFromRow(r, tags.filter((t) => String(t.experiment_id) === String(r.experiment_id)));
  }

  async datasets(experimentId: string): Promise<Dataset[]> {
    if (!this.tables.includes('datasets')) return [];
    const rows = await this.db.selectFrom('datasets').selectAll().where('experiment_id', '=', Number(experimentId)).execute();
    return rows.map(datasetFromRow);
  }

  async *runHeads(experimentId: string): AsyncIterable<Pick<RunInfo, 'runId' | 'experimentId' | 'startTime'>> {
    for await (const page of this.runPages(experimentId, 5000)) {
      for (const r of page) yield { runId: r.run_uuid, experimentId, startTime: r.start_time === null ? null : Number(r.start_time) };
    }
  }

  async *runKeys(experimentId: string): AsyncIterable<RunKeys> {
    for await (const page of this.runPages(experimentId, ID_CHUNK)) {
      const ids = page.map((r) => r.run_uuid);
      const keys = new Map<string, RunKeys>(ids.map((id) => [id, { runId: id, params: [], tags: [], metrics: [], inputs: [] }]));
      for (const [table, field] of [['params', 'params'], ['tags', 'tags'], ['metrics', 'metrics']] as const) {
        const rows = await this.db.selectFrom(table).select(['run_uuid', 'key']).distinct().where('run_uuid', 'in', ids).execute();
        for (const r of rows) keys.get(r.run_uuid as string)![field].push(r.key as string);
      }
      for (const [runId, inputs] of await this.inputs(ids)) keys.get(runId)!.inputs = inputs.map(inputKeys);
      yield* keys.values();
    }
  }

  private async *runPages(experimentId: string, size: number): AsyncIterable<RunRow[]> {
    let after = '';
    for (;;) {
      const page = (await this.db
        .selectFrom('runs')
        .select(RUN_COLUMNS)
        .where('experiment_id', '=', Number(experimentId))
        .where('run_uuid', '>', after)
        .orderBy('run_uuid')
        .modifyEnd(pagingClause(this.conn.dialect, size, 0))
        .execute()) as RunRow[];
      if (page.length) yield page;
      if (page.length < size) return;
      after = page[page.length - 1]!.run_uuid;
    }
  }

  async *runs(experimentId: string, batchSize: number): AsyncIterable<SourceRun[]> {
    for await (const page of this.runPages(experimentId, batchSize)) {
      for (const part of await this.splitByPoints(page)) {
        const byId = new Map<string, SourceRun>(part.map((r) => [r.run_uuid, { info: runInfoFromRow(r), params: [], tags: [], metrics: [], inputs: [] }]));
        for (let i = 0; i < part.length; i += ID_CHUNK) {
          await this.fill(byId, part.slice(i, i + ID_CHUNK).map((r) => r.run_uuid));
        }
        yield [...byId.values()];
      }
    }
  }

  /** Runs with long histories make big batches: split a page so a batch holds at most MAX_BATCH_POINTS points. */
  private async splitByPoints(page: RunRow[]): Promise<RunRow[][]> {
    const counts = new Map<string, number>();
    for (let i = 0; i < page.length; i += ID_CHUNK) {
      const ids = page.slice(i, i + ID_CHUNK).map((r) => r.run_uuid);
      const rows = await this.db.selectFrom('metrics').select(['run_uuid', sql<number>`count(*)`.as('n')]).where('run_uuid', 'in', ids).groupBy('run_uuid').execute();
      for (const r of rows) counts.set(r.run_uuid, Number(r.n));
    }
    const out: RunRow[][] = [];
    let cur: RunRow[] = [];
    let points = 0;
    for (const r of page) {
      const n = counts.get(r.run_uuid) ?? 0;
      if (cur.length && points + n > MAX_BATCH_POINTS) {
        out.push(cur);
        cur = [];
        points = 0;
      }
      cur.push(r);
      points += n;
    }
    if (cur.length) out.push(cur);
    return out;
  }

  private async fill(byId: Map<string, SourceRun>, ids: string[]): Promise<void> {
    const db = this.db;
    for (const p of await db.selectFrom('params').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', ids).execute()) {
      byId.get(p.run_uuid)!.params.push({ key: p.key, value: p.value ?? '' });
    }
    for (const t of await db.selectFrom('tags').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', ids).execute()) {
      byId.get(t.run_uuid)!.tags.push({ key: t.key, value: t.value ?? '' });
    }
    const metrics = await db.selectFrom('metrics').select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan']).where('run_uuid', 'in', ids).execute();
    for (const m of metrics) {
      const point: Metric = { key: m.key, value: decodeMetricValue(m.value, m.is_nan), timestamp: Number(m.timestamp ?? 0), step: Number(m.step ?? 0) };
      byId.get(m.run_uuid)!.metrics.push(point);
    }
    for (const [runId, inputs] of await this.inputs(ids)) byId.get(runId)!.inputs.push(...inputs);
  }

  /** The dataset inputs of these runs, with their datasets and tags, by run id. */
  private async inputs(ids: string[]): Promise<Map<string, DatasetInput[]>> {
    const out = new Map<string, DatasetInput[]>();
    if (!this.tables.includes('inputs')) return out;
    const db = this.db;
    const inputs = await db
      .selectFrom('inputs')
      .innerJoin('datasets', 'datasets.dataset_uuid', 'inputs.source_id')
      .selectAll('datasets')
      .select(['inputs.input_uuid', 'inputs.destination_id'])
      .where('inputs.source_type', '=', 'DATASET')
      .where('inputs.destination_type', '=', 'RUN')
      .where('inputs.destination_id', 'in', ids)
      .execute();
    const tags = new Map<string, { key: string; value: string }[]>();
    for (let i = 0; i < inputs.length; i += ID_CHUNK) {
      const uuids = inputs.slice(i, i + ID_CHUNK).map((x) => x.input_uuid as string);
      for (const t of await db.selectFrom('input_tags').select(['input_uuid', 'name', 'value']).where('input_uuid', 'in', uuids).execute()) {
        if (!tags.has(t.input_uuid)) tags.set(t.input_uuid, []);
        tags.get(t.input_uuid)!.push({ key: t.name, value: t.value });
      }
    }
    for (const x of inputs) {
      const input: DatasetInput = { tags: tags.get(x.input_uuid) ?? [], dataset: datasetFromRow(x) };
      if (!out.has(x.destination_id)) out.set(x.destination_id, []);
      out.get(x.destination_id)!.push(input);
    }
    return out;
  }

  async *extraTables(batchSize: number, only?: Set<string>): AsyncIterable<TableRows> {
    const catalog = new Ddl(this.db, this.conn.dialect).catalog;
    for (const t of COPIED_TABLES) {
      if (!this.tables.includes(t.table) || (only && !only.has(t.table))) continue;
      const key = (await catalog.primaryKey(this.db, t.table)).columns;
      for (let offset = 0; ; offset += batchSize) {
        let q = this.db.selectFrom(t.table).selectAll();
        if (t.only) q = q.where(t.only.column, 'in', t.only.values);
        for (const k of key) q = q.orderBy(k);
        const rows = await q.modifyEnd(pagingClause(this.conn.dialect, batchSize, offset)).execute();
        if (rows.length) yield { table: t.table, rows };
        if (rows.length < batchSize) break;
      }
    }
  }

  async tableCounts(): Promise<Map<string, TableCount>> {
    const out = new Map<string, TableCount>();
    for (const t of COPIED_TABLES) {
      if (!this.tables.includes(t.table)) continue;
      let q = this.db.selectFrom(t.table);
      if (t.only) q = q.where(t.only.column, 'in', t.only.values);
      if (t.builtIn) q = q.where(t.builtIn.column, 'not in', t.builtIn.values);
      const total = Number((await q.select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
      const count: TableCount = { total };
      if (t.experimentColumn && total) {
        const rows = await q.select([sql.ref(t.experimentColumn).as('e'), sql<number>`count(*)`.as('n')]).groupBy(t.experimentColumn).execute();
        count.byExperiment = new Map(rows.filter((r) => r.e !== null).map((r) => [String(r.e), Number(r.n)]));
      }
      if (t.runColumn && total) {
        const rows = await q.select([sql.ref(t.runColumn).as('r'), sql<number>`count(*)`.as('n')]).groupBy(t.runColumn).execute();
        count.byRun = new Map(rows.filter((r) => r.r !== null).map((r) => [String(r.r), Number(r.n)]));
      }
      out.set(t.table, count);
    }
    return out;
  }

  async nonDefaultColumns(table: string, have: Set<string>): Promise<string[]> {
    if (!this.tables.includes(table)) return [];
    const info = await new Ddl(this.db, this.conn.dialect).catalog.columns(this.db, table);
    const out: string[] = [];
    for (const c of info) {
      const name = c.name;
      // A generated column is the target's to compute (spans.duration_ns), never copied.
      if (have.has(name) || COPIED_TABLES.some((t) => t.table === table && t.generated?.includes(name))) continue;
      const d = canonDefault(c.default);
      let q = this.db.selectFrom(table).select(sql.lit(1).as('x')).where(name, 'is not', null);
      if (d !== null) q = q.where(name, '<>', /int|double|float|numeric|decimal|real|boolean/.test(c.type) ? Number(d) : d);
      if ((await q.modifyEnd(pagingClause(this.conn.dialect, 1, 0)).execute()).length) out.push(name);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}


/** A source database must have the tables of MLflow's tracking schema. */
export function assertTrackingSchema(tables: string[], display: string): void {
  const missing = ['experiments', 'runs', 'params', 'tags', 'metrics'].filter((t) => !tables.includes(t));
  if (missing.length) throw new MlfError(`Source ${display} is not an MLflow tracking database (missing tables: ${missing.join(', ')}).`, 'INVALID_PARAMETER_VALUE');
}

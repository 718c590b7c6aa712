/** Run infos → MLflow runs: params, latest metrics, tags, dataset inputs and (MLflow 3) model links, a handful of queries per 1000 runs. */
import { sql, type Compilable, type RawBuilder } from 'kysely';
import type { Run, RunInfo } from '../../../tracking/entities.js';
import { byKey } from '../../common.js';
import type { Db, Tx } from '../dialects/dialect.js';
import { datasetFromRow, METRIC_COLUMNS, metricFromValues } from '../rows.js';
import { chunks, type SqlExecutor } from './executor.js';
import { schemaFeaturesOf } from './schema-features.js';
import type { RunModelLinks } from '../../../tracking/logged-models.js';

// A default page of runs (MLflow's 1000) in one read per table: under every dialect's parameter
// limit (SQL Server's, the least, is 2000 here), and half the statements of 500-id chunks.
const PAGE_CHUNK = 1000;

/** One read of a page's child rows: the query of one run's rows, and of a list of runs. */
interface ChildRead {
  name: string;
  columns: string[];
  /** A column holds doubles (packed only where the dialect's JSON keeps them exact). */
  floats?: boolean;
  /** One run's rows, `id` its run id (constants inlined: the probe's one parameter is the ids). */
  perRun: (id: RawBuilder<unknown>) => RawBuilder<unknown>;
  /** The rows of `ids` with `... in (...)`, and that query's parameters in order. */
  inList: (db: Db | Tx, ids: string[]) => Compilable<unknown>;
  inValues: (ids: string[]) => unknown[];
}

const childTable = (table: string, columns: string[], floats = false): ChildRead => ({
  name: table,
  columns,
  floats,
  perRun: (id) => sql`select * from ${sql.table(table)} c where c.run_uuid = ${id}`,
  inList: (db, ids) => db.selectFrom(table).select(columns).where('run_uuid', 'in', ids),
  inValues: (ids) => ids,
});

const DATASET_COLUMNS = ['name', 'digest', 'dataset_source_type', 'dataset_source', 'dataset_schema', 'dataset_profile'];

const READS = {
  metrics: childTable('latest_metrics', ['run_uuid', ...METRIC_COLUMNS], true),
  params: childTable('params', ['run_uuid', 'key', 'value']),
  tags: childTable('tags', ['run_uuid', 'key', 'value']),
  inputs: {
    name: 'inputs',
    columns: ['destination_id', 'input_uuid', ...DATASET_COLUMNS],
    perRun: (id) => sql`select i.destination_id, i.input_uuid, ${sql.join(DATASET_COLUMNS.map((c) => sql.ref(`ds.${c}`)))}
      from inputs i join datasets ds on ds.dataset_uuid = i.source_id
      where i.destination_type = ${sql.lit('RUN')} and i.source_type = ${sql.lit('DATASET')} and i.destination_id = ${id}`,
    inList: (db, ids) =>
      db
        .selectFrom('inputs')
        .innerJoin('datasets', 'datasets.dataset_uuid', 'inputs.source_id')
        .select(['inputs.destination_id', 'inputs.input_uuid', ...DATASET_COLUMNS.map((c) => `datasets.${c}`)])
        .where('inputs.destination_type', '=', 'RUN')
        .where('inputs.source_type', '=', 'DATASET')
        .where('inputs.destination_id', 'in', ids),
    inValues: (ids) => ['RUN', 'DATASET', ...ids],
  },
  // MLflow 3: the logged models a run used (MODEL_INPUT) or produced (MODEL_OUTPUT, at a step).
  modelLinks: {
    name: 'modelLinks',
    columns: ['source_id', 'destination_type', 'destination_id', 'step'],
    perRun: (id) => sql`select c.source_id, c.destination_type, c.destination_id, c.step from inputs c
      where c.source_type in (${sql.lit('RUN_INPUT')}, ${sql.lit('RUN_OUTPUT')}) and c.destination_type in (${sql.lit('MODEL_INPUT')}, ${sql.lit('MODEL_OUTPUT')})
        and c.source_id = ${id}`,
    inList: (db, ids) =>
      db
        .selectFrom('inputs')
        .select(['source_id', 'destination_type', 'destination_id', 'step'])
        .where('source_type', 'in', ['RUN_INPUT', 'RUN_OUTPUT'])
        .where('destination_type', 'in', ['MODEL_INPUT', 'MODEL_OUTPUT'])
        .where('source_id', 'in', ids),
    inValues: (ids) => ['RUN_INPUT', 'RUN_OUTPUT', 'MODEL_INPUT', 'MODEL_OUTPUT', ...ids],
  },
} satisfies Record<string, ChildRead>;

/** Links rows into each run's model inputs and outputs, ordered by step, then model id, as MLflow's SQL store lists them. */
function addModelLinks(out: Map<string, RunModelLinks>, rows: unknown[][]): void {
  rows.sort((a, b) => Number(a[3]) - Number(b[3]) || (a[2] === b[2] ? 0 : (a[2] as string) < (b[2] as string) ? -1 : 1));
  for (const [runId, type, modelId, step] of rows) {
    const links = out.get(runId as string) ?? out.set(runId as string, { inputs: [], outputs: [] }).get(runId as string)!;
    if (type === 'MODEL_INPUT') links.inputs.push({ modelId: modelId as string });
    else links.outputs.push({ modelId: modelId as string, step: Number(step) });
  }
}

/**
 * A page's rows of one read, as arrays of its columns: the dialect's per-run probe where it has
 * one, else `in (...)`; packed into one JSON text where the dialect can (see SqlDialect.packRows).
 */
function childRows(x: SqlExecutor, db: Db | Tx, read: ChildRead, ids: string[]): Promise<unknown[][]> {
  const probe = x.dialect.rowsByRunIds;
  const packing = { floats: read.floats };
  if (probe) return x.arrays(db, `hydrate:${read.name}:probe`, () => ({ compile: () => probe(read.perRun, read.columns, ids).compile(db) }), [ids], read.columns, packing);
  return x.arrays(db, `hydrate:${read.name}:${ids.length}`, () => read.inList(db, ids), read.inValues(ids), read.columns, packing);
}

export async function hydrate(x: SqlExecutor, db: Db | Tx, infos: RunInfo[]): Promise<Run[]> {
  const runs = new Map<string, Run>();
  for (const info of infos) runs.set(info.runId, { info, data: { metrics: [], params: [], tags: [] }, inputs: { datasetInputs: [] } });
  const ids = [...runs.keys()];
  const { loggedModels } = await schemaFeaturesOf(x);
  const links = new Map<string, RunModelLinks>();
  for (const part of chunks(ids, PAGE_CHUNK)) {
    if (part.length === 0) continue;
    // From the pool the reads go out together, each on its own connection; in a transaction (one
    // connection) they run one after another.
    const [metrics, params, tags, inputs, modelLinks] = await x.each(db, [
      () => childRows(x, db, READS.metrics, part),
      () => childRows(x, db, READS.params, part),
      () => childRows(x, db, READS.tags, part),
      () => childRows(x, db, READS.inputs, part),
      () => (loggedModels ? childRows(x, db, READS.modelLinks, part) : Promise.resolve([])),
    ] as const);
    addModelLinks(links, modelLinks);
    for (const m of metrics) runs.get(m[0] as string)!.data.metrics.push(metricFromValues(m, 1));
    for (const p of params) runs.get(p[0] as string)!.data.params.push({ key: p[1] as string, value: (p[2] as string | null) ?? '' });
    for (const t of tags) runs.get(t[0] as string)!.data.tags.push({ key: t[1] as string, value: (t[2] as string | null) ?? '' });
    if (inputs.length) {
      const inputTags = new Map<string, { key: string; value: string }[]>();
      for (const part2 of chunks(inputs.map((i) => i[1] as string))) {
        const its = await db.selectFrom('input_tags').select(['input_uuid', 'name', 'value']).where('input_uuid', 'in', part2).execute();
        for (const it of its) {
          if (!inputTags.has(it.input_uuid)) inputTags.set(it.input_uuid, []);
          inputTags.get(it.input_uuid)!.push({ key: it.name, value: it.value });
        }
      }
      for (const i of inputs) {
        const row = Object.fromEntries(READS.inputs.columns.map((c, k) => [c, i[k]]));
        runs.get(row.destination_id as string)!.inputs.datasetInputs.push({
          tags: (inputTags.get(row.input_uuid as string) ?? []).sort(byKey),
          dataset: datasetFromRow(row),
        });
      }
    }
  }
  for (const [runId, l] of links) {
    const run = runs.get(runId)!;
    if (l.inputs.length) run.inputs.modelInputs = l.inputs;
    if (l.outputs.length) run.outputs = { modelOutputs: l.outputs };
  }
  for (const run of runs.values()) {
    run.data.metrics.sort(byKey);
    run.data.params.sort(byKey);
    run.data.tags.sort(byKey);
  }
  return infos.map((i) => runs.get(i.runId)!);
}

/** Run infos → MLflow runs: params, latest metrics, tags and dataset inputs, a handful of queries per 500 runs. */
import type { Run, RunInfo } from '../../../tracking/entities.js';
import { byKey } from '../../common.js';
import type { Db, Tx } from '../dialects/dialect.js';
import { datasetFromRow, METRIC_COLUMNS, metricFromValues } from '../rows.js';
import { chunks, type SqlExecutor } from './executor.js';

// A default page of runs (MLflow's 1000) in one read per table: under every dialect's parameter
// limit (SQL Server's, the least, is 2000 here), and half the statements of 500-id chunks.
const PAGE_CHUNK = 1000;

/** A child table's rows for these runs: the dialect's per-id probe where it has one, else `in (...)`. */
function childRows(x: SqlExecutor, db: Db | Tx, table: string, columns: string[], ids: string[]): Promise<unknown[][]> {
  const probe = x.dialect.rowsByRunIds;
  if (probe) return x.arrays(db, `hydrate:${table}:probe`, () => ({ compile: () => probe(table, columns, ids).compile(db) }), [ids], columns);
  return x.arrays(db, `hydrate:${table}:${ids.length}`, () => db.selectFrom(table).select(columns).where('run_uuid', 'in', ids), ids, columns);
}

export async function hydrate(x: SqlExecutor, db: Db | Tx, infos: RunInfo[]): Promise<Run[]> {
  const runs = new Map<string, Run>();
  for (const info of infos) runs.set(info.runId, { info, data: { metrics: [], params: [], tags: [] }, inputs: { datasetInputs: [] } });
  const ids = [...runs.keys()];
  for (const part of chunks(ids, PAGE_CHUNK)) {
    if (part.length === 0) continue;
    const n = part.length;
    // From the pool the four reads go out together, each on its own connection; in a transaction
    // (one connection) they run one after another.
    const [metrics, params, tags, inputs] = await x.each(db, [
      () => childRows(x, db, 'latest_metrics', ['run_uuid', ...METRIC_COLUMNS], part),
      () => childRows(x, db, 'params', ['run_uuid', 'key', 'value'], part),
      () => childRows(x, db, 'tags', ['run_uuid', 'key', 'value'], part),
      () => x.rows<Record<string, any>>(db, `hydrate:inputs:${n}`, () =>
      db
        .selectFrom('inputs')
        .innerJoin('datasets', 'datasets.dataset_uuid', 'inputs.source_id')
        .select([
          'inputs.destination_id',
          'inputs.input_uuid',
          'datasets.name',
          'datasets.digest',
          'datasets.dataset_source_type',
          'datasets.dataset_source',
          'datasets.dataset_schema',
          'datasets.dataset_profile',
        ])
        .where('inputs.destination_type', '=', 'RUN')
        .where('inputs.source_type', '=', 'DATASET')
        .where('inputs.destination_id', 'in', part), ['RUN', 'DATASET', ...part]),
    ] as const);
    for (const m of metrics) runs.get(m[0] as string)!.data.metrics.push(metricFromValues(m, 1));
    for (const p of params) runs.get(p[0] as string)!.data.params.push({ key: p[1] as string, value: (p[2] as string | null) ?? '' });
    for (const t of tags) runs.get(t[0] as string)!.data.tags.push({ key: t[1] as string, value: (t[2] as string | null) ?? '' });
    if (inputs.length) {
      const inputTags = new Map<string, { key: string; value: string }[]>();
      for (const part2 of chunks(inputs.map((i) => i.input_uuid as string))) {
        const its = await db.selectFrom('input_tags').select(['input_uuid', 'name', 'value']).where('input_uuid', 'in', part2).execute();
        for (const it of its) {
          if (!inputTags.has(it.input_uuid)) inputTags.set(it.input_uuid, []);
          inputTags.get(it.input_uuid)!.push({ key: it.name, value: it.value });
        }
      }
      for (const i of inputs) {
        runs.get(i.destination_id)!.inputs.datasetInputs.push({
          tags: (inputTags.get(i.input_uuid) ?? []).sort(byKey),
          dataset: datasetFromRow(i),
        });
      }
    }
  }
  for (const run of runs.values()) {
    run.data.metrics.sort(byKey);
    run.data.params.sort(byKey);
    run.data.tags.sort(byKey);
  }
  return infos.map((i) => runs.get(i.runId)!);
}

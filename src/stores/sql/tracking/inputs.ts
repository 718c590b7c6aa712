/** log_inputs in the SQL tracking store: datasets per experiment, one input edge per (dataset, run). */
import type { DatasetInput } from '../../../tracking/entities.js';
import { validateDatasetInputs, validateRunId } from '../../../tracking/validation.js';
import { dedupeByKey, newRunId } from '../../common.js';
import { datasetToRow } from '../rows.js';
import type { SqlExecutor } from './executor.js';
import { requireActiveRun } from './runs.js';

export async function logInputs(x: SqlExecutor, runId: string, datasets: DatasetInput[]): Promise<void> {
  validateRunId(runId);
  const inputs = validateDatasetInputs(datasets ?? []);
  await x.mutate(async (tx) => {
    const run = await requireActiveRun(x, tx, runId);
    const expId = Number(run.experiment_id);
    const seen = new Set<string>();
    for (const di of inputs) {
      const d = di.dataset;
      const k = `${d.name}\u0000${d.digest}`;
      if (seen.has(k)) continue;
      seen.add(k);
      let ds = await tx
        .selectFrom('datasets')
        .select('dataset_uuid')
        .where('experiment_id', '=', expId)
        .where('name', '=', d.name)
        .where('digest', '=', d.digest)
        .executeTakeFirst();
      if (!ds) {
        ds = { dataset_uuid: newRunId() };
        await tx
          .insertInto('datasets')
          .values(datasetToRow(ds.dataset_uuid, expId, d))
          .execute();
      }
      const edge = await tx
        .selectFrom('inputs')
        .select('input_uuid')
        .where('source_type', '=', 'DATASET')
        .where('source_id', '=', ds.dataset_uuid)
        .where('destination_type', '=', 'RUN')
        .where('destination_id', '=', run.run_uuid)
        .executeTakeFirst();
      if (edge) continue;
      const inputUuid = newRunId();
      await tx
        .insertInto('inputs')
        .values({ input_uuid: inputUuid, source_type: 'DATASET', source_id: ds.dataset_uuid, destination_type: 'RUN', destination_id: run.run_uuid })
        .execute();
      const tagRows = dedupeByKey(di.tags).map((t) => ({ input_uuid: inputUuid, name: t.key, value: t.value }));
      if (tagRows.length) await tx.insertInto('input_tags').values(tagRows).execute();
    }
  });
}

/** log_inputs in the file store: `<experiment>/datasets/<id>/meta.yaml` and `<run>/inputs/<id>/meta.yaml`. */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetInput } from '../../../tracking/entities.js';
import { validateDatasetInputs, validateRunId } from '../../../tracking/validation.js';
import { joinInside } from '../fs-io.js';
import { DATASETS, INPUTS, META, datasetId, datasetToMeta, inputId } from '../layout.js';
import type { FileExecutor } from './executor.js';
import { activeRunAt } from './runs.js';

export async function logInputs(f: FileExecutor, runId: string, datasets: DatasetInput[]): Promise<void> {
  validateRunId(runId);
  const inputs = validateDatasetInputs(datasets ?? []);
  const { loc } = activeRunAt(f, runId);
  for (const input of inputs) {
    const d = input.dataset;
    const dsId = datasetId(d.name, d.digest);
    const dsDir = joinInside(loc.experimentDir, DATASETS, dsId);
    if (!fs.existsSync(path.join(dsDir, META))) f.writeMeta(dsDir, datasetToMeta(d));
    const inDir = joinInside(loc.dir, INPUTS, inputId(dsId, loc.runId));
    if (fs.existsSync(path.join(inDir, META))) continue;
    // MLflow writes the dataset id as destination_id too (a slip in `_FileStoreInput`); nothing
    // reads that field, so mlf writes the run id, which is what the field means.
    f.writeMeta(inDir, {
      destination_id: loc.runId,
      destination_type: 'RUN',
      source_id: dsId,
      source_type: 'DATASET',
      tags: Object.fromEntries(input.tags.map((t) => [t.key, t.value])),
    });
  }
}

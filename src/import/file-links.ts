/**
 * A file store's run links to logged models (MLflow 3's `<run>/outputs/<model_id>/` and the model
 * entries of `<run>/inputs/`, read by the file store's own reader) as the `inputs` rows MLflow 3's
 * SQL store writes: RUN_OUTPUT run → MODEL_OUTPUT model with its step, RUN_INPUT run → MODEL_INPUT
 * model with step 0. The row id is derived from the link, so every import of one store names a link
 * alike; the table's primary key (the two ends) keeps a repeated import from adding it twice.
 */
import crypto from 'node:crypto';
import { readRunLinks } from '../stores/file/run-links.js';

type Row = Record<string, unknown>;

function linkRow(sourceType: 'RUN_INPUT' | 'RUN_OUTPUT', runId: string, modelId: string, step: number): Row {
  const input_uuid = crypto.createHash('md5').update(`${sourceType}\u0000${runId}\u0000${modelId}`).digest('hex');
  const destination_type = sourceType === 'RUN_INPUT' ? 'MODEL_INPUT' : 'MODEL_OUTPUT';
  return { input_uuid, source_type: sourceType, source_id: runId, destination_type, destination_id: modelId, step };
}

/** The `inputs` rows of one run folder's model links (none for a run without them). */
export function runLinkRows(runDir: string, runId: string): Row[] {
  const links = readRunLinks(runDir);
  return [
    ...links.inputs.map((l) => linkRow('RUN_INPUT', runId, l.modelId, 0)),
    ...links.outputs.map((l) => linkRow('RUN_OUTPUT', runId, l.modelId, l.step)),
  ];
}

/**
 * MLflow's error messages that more than one place raises (stores, server, CLI), each built once, with
 * MLflow's code. Where MLflow's stores word an error differently, the SQL store's wording is the one
 * (README: "One set of messages"). Per-field request checks live in src/server/request.ts and
 * src/tracking/validation.ts; values inside messages are formatted by src/tracking/py-format.ts.
 *
 * @example
 * throw experimentNameTaken('my-exp'); // RESOURCE_ALREADY_EXISTS "Experiment(name=my-exp) already exists."
 */
import { MlfError } from '../lib/errors.js';
import { pyRepr } from './py-format.js';

/** Creating or renaming to a name another experiment has. */
export function experimentNameTaken(name: string): MlfError {
  return new MlfError(`Experiment(name=${name}) already exists.`, 'RESOURCE_ALREADY_EXISTS');
}

/** Writing to a deleted run or into a deleted experiment. */
export function mustBeActive(kind: 'run' | 'experiment', id: string, lifecycleStage: string | null): MlfError {
  return new MlfError(`The ${kind} ${id} must be in the 'active' state. Current state is ${lifecycleStage ?? 'None'}.`, 'INVALID_PARAMETER_VALUE');
}

/** `log_param` of a key already logged with another value. */
export function paramValueChanged(runId: string, key: string, oldValue: string | undefined, newValue: string): MlfError {
  return new MlfError(
    `Changing param values is not allowed. Param with key='${key}' was already logged with value='${oldValue}' for run ID='${runId}'. Attempted logging new value '${newValue}'.`,
    'INVALID_PARAMETER_VALUE',
  );
}

export interface ParamConflict {
  key: string;
  old_value: string;
  new_value: string;
}

/** `log_batch` with params already logged with other values (MLflow prints the list's Python repr). */
export function paramsAlreadyLogged(runId: string, conflicts: ParamConflict[]): MlfError {
  const shown = conflicts.map((c) => ({ key: c.key, old_value: c.old_value, new_value: c.new_value }));
  return new MlfError(
    `Changing param values is not allowed. Params were already logged='${pyRepr(shown)}' for run ID='${runId}'.`,
    'INVALID_PARAMETER_VALUE',
  );
}

/** Whether an error is {@link paramsAlreadyLogged}'s (a single-param caller rewords it). */
export function isParamsAlreadyLogged(e: unknown): boolean {
  return e instanceof MlfError && e.message.startsWith('Changing param values is not allowed. Params were');
}

/** `log-model` with `model_json` that is not a JSON object. */
export function malformedModelJson(modelJson: string): MlfError {
  return new MlfError(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`, 'INVALID_PARAMETER_VALUE');
}

/** `log-model` with a model lacking MLflow's mandatory fields (listed as Python prints a set). */
export function modelJsonMissingFields(fields: string[]): MlfError {
  return new MlfError(`Model json is missing mandatory fields: {${fields.map((f) => `'${f}'`).join(', ')}}`, 'INVALID_PARAMETER_VALUE');
}

/** gc: purging a run that is not deleted. */
export function runNotDeleted(runId: string): MlfError {
  return new MlfError(
    `Run ${runId} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`,
    'INVALID_PARAMETER_VALUE',
  );
}

/** gc: purging experiments that are not deleted (ids listed as Python prints a list). */
export function experimentsNotDeleted(ids: string[]): MlfError {
  return new MlfError(
    `Experiments ${pyRepr(ids)} are not in the deleted lifecycle stage. Only experiments in the deleted lifecycle stage can be hard-deleted.`,
    'INVALID_PARAMETER_VALUE',
  );
}

/**
 * Any registry call on a file store: MLflow's file-based registry (`mlruns/models/`) is not served
 * by mlf, and the file store leaves that folder alone.
 */
export function registryNeedsDatabase(): MlfError {
  return new MlfError(
    'Model Registry is not supported on a file store: it needs a database-backed store (sqlite:, postgresql:, mysql:, mssql:). Point --backend-store-uri (or MLFLOW_TRACKING_URI) at a database, e.g. sqlite:///mlflow.db.',
    'FEATURE_DISABLED',
  );
}

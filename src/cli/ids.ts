/**
 * Commands take an id as MLflow's CLI does (`--run-id`, `-x/--experiment-id`) or, shorter, as a
 * positional argument. Exactly one is needed.
 */
import { MlfError } from '../lib/errors.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import type { Experiment } from '../tracking/entities.js';

export function pickId(positional: string | undefined, flag: string | undefined, flagName: string): string {
  if (positional !== undefined && flag !== undefined && positional !== flag) {
    throw new MlfError(`Give the id once: as an argument or with --${flagName}`, 'INVALID_PARAMETER_VALUE', 2);
  }
  const id = flag ?? positional;
  if (id === undefined || id === '') throw new MlfError(`Missing required flag --${flagName}`, 'INVALID_PARAMETER_VALUE', 2);
  return id;
}

/** An experiment by positional id, `--experiment-id` or `--experiment-name` (RESOURCE_DOES_NOT_EXIST if missing). */
export async function experimentByIdOrName(
  store: TrackingStore,
  positional: string | undefined,
  id: string | undefined,
  name: string | undefined,
): Promise<Experiment> {
  if (name !== undefined) {
    if (positional !== undefined || id !== undefined) {
      throw new MlfError('Give either an experiment id or --experiment-name, not both', 'INVALID_PARAMETER_VALUE', 2);
    }
    const e = await store.getExperimentByName(name);
    if (!e) throw new MlfError(`Could not find experiment with name '${name}'`, 'RESOURCE_DOES_NOT_EXIST');
    return e;
  }
  return store.getExperiment(pickId(positional, id, 'experiment-id'));
}

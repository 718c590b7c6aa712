import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The experiment after the change, as MLflow's `experiments/get` returns it. */
export type ExperimentsRestoreResult = Record<string, unknown>;

export default class ExperimentsRestore extends BaseCommand<typeof ExperimentsRestore> {
  static override args = {
    experimentId: Args.string({ description: 'Experiment id (or -x/--experiment-id)', ignoreStdin: true }),
  };
  static override description = 'Restore a deleted experiment and its deleted runs.';
  static override examples = ['<%= config.bin %> <%= command.id %> -x 1'];
  static override flags = {
    'experiment-id': Flags.string({ char: 'x', description: 'Experiment id' }),
  };

  async run(): Promise<ExperimentsRestoreResult> {
    const { args, flags } = await this.parse(ExperimentsRestore);
    const { pickId } = await import('../../cli/ids.js');
    const id = pickId(args.experimentId, flags['experiment-id'], 'experiment-id');
    const store = await this.openStore(flags['tracking-uri'], { writing: true });
    await store.restoreExperiment(id);
    // MLflow's own wording (mlflow/experiments.py), so scripts that grep it keep working.
    this.log(`Experiment with id ${id} has been restored.`);
    const { experimentToJson } = await import('../../tracking/rest-json.js');
    return experimentToJson(await store.getExperiment(id));
  }
}

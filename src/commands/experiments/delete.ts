import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The experiment after the change, as MLflow's `experiments/get` returns it. */
export type ExperimentsDeleteResult = Record<string, unknown>;

export default class ExperimentsDelete extends BaseCommand<typeof ExperimentsDelete> {
  static override args = {
    experimentId: Args.string({ description: 'Experiment id (or -x/--experiment-id)', ignoreStdin: true }),
  };
  static override description = 'Mark an experiment and its runs deleted (`mlf gc` removes them for good).';
  static override examples = ['<%= config.bin %> <%= command.id %> -x 1'];
  static override flags = {
    'experiment-id': Flags.string({ char: 'x', description: 'Experiment id' }),
  };

  async run(): Promise<ExperimentsDeleteResult> {
    const { args, flags } = await this.parse(ExperimentsDelete);
    const { pickId } = await import('../../cli/ids.js');
    const id = pickId(args.experimentId, flags['experiment-id'], 'experiment-id');
    const store = await this.openStore(flags['tracking-uri'], { writing: true });
    await store.deleteExperiment(id);
    // MLflow's own wording (mlflow/experiments.py), so scripts that grep it keep working.
    this.log(`Experiment with ID ${id} has been deleted.`);
    const { experimentToJson } = await import('../../tracking/rest-json.js');
    return experimentToJson(await store.getExperiment(id));
  }
}

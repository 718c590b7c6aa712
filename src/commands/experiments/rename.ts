import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The renamed experiment, as MLflow's `experiments/get` returns it. */
export type ExperimentsRenameResult = Record<string, unknown>;

export default class ExperimentsRename extends BaseCommand<typeof ExperimentsRename> {
  static override args = {
    experimentId: Args.string({ description: 'Experiment id (or -x/--experiment-id)', ignoreStdin: true }),
  };
  static override description = 'Rename an active experiment.';
  static override examples = ['<%= config.bin %> <%= command.id %> -x 1 --new-name demo-v2'];
  static override flags = {
    'experiment-id': Flags.string({ char: 'x', description: 'Experiment id' }),
    'new-name': Flags.string({ description: 'New name', required: true }),
  };

  async run(): Promise<ExperimentsRenameResult> {
    const { args, flags } = await this.parse(ExperimentsRename);
    const { pickId } = await import('../../cli/ids.js');
    const { validateExperimentName } = await import('../../tracking/validation.js');
    const id = pickId(args.experimentId, flags['experiment-id'], 'experiment-id');
    const name = validateExperimentName(flags['new-name']);
    const store = await this.openStore(flags['tracking-uri'], { writing: true });
    await store.renameExperiment(id, name);
    this.log(`Experiment with id ${id} has been renamed to '${name}'.`);
    const { experimentToJson } = await import('../../tracking/rest-json.js');
    return experimentToJson(await store.getExperiment(id));
  }
}

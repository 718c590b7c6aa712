import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The experiment, as MLflow's `experiments/get` returns it. */
export type ExperimentsDescribeResult = Record<string, unknown>;

export default class ExperimentsDescribe extends BaseCommand<typeof ExperimentsDescribe> {
  static override args = {
    experimentId: Args.string({ description: 'Experiment id (or -x/--experiment-id, or -n/--experiment-name)', ignoreStdin: true }),
  };
  static override description = 'Show an experiment (active or deleted): id, name, artifact location, times, tags.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -x 1',
    '<%= config.bin %> <%= command.id %> --experiment-name demo --json | jq -r .artifact_location',
  ];
  static override flags = {
    'experiment-id': Flags.string({ char: 'x', description: 'Experiment id', exclusive: ['experiment-name'] }),
    'experiment-name': Flags.string({ char: 'n', description: 'Experiment name' }),
  };

  async run(): Promise<ExperimentsDescribeResult> {
    const { args, flags } = await this.parse(ExperimentsDescribe);
    const { experimentByIdOrName } = await import('../../cli/ids.js');
    const store = await this.openStore(flags['tracking-uri'], { readOnly: true });
    const exp = await experimentByIdOrName(store, args.experimentId, flags['experiment-id'], flags['experiment-name']);
    if (!this.jsonEnabled()) (await import('../../cli/print.js')).printExperiment(exp, (s) => this.log(s));
    const { experimentToJson } = await import('../../tracking/rest-json.js');
    return experimentToJson(exp);
  }
}

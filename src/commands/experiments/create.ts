import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The new experiment, as MLflow's `experiments/get` returns it. */
export type ExperimentsCreateResult = Record<string, unknown>;

export default class ExperimentsCreate extends BaseCommand<typeof ExperimentsCreate> {
  static override description = 'Create an experiment. Prints MLflow\'s "Created experiment \'NAME\' with id ID".';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --experiment-name demo',
    '<%= config.bin %> <%= command.id %> -n demo -l s3://bucket/demo --tag team=vision --json | jq -r .experiment_id',
  ];
  static override flags = {
    'artifact-location': Flags.string({ char: 'l', description: 'Artifact root of the experiment (default: the store\'s)' }),
    'experiment-name': Flags.string({ char: 'n', description: 'Name (unique among active and deleted experiments)', required: true }),
    tag: Flags.string({ char: 't', description: 'KEY=VALUE experiment tag (repeatable)', multiple: true }),
  };

  async run(): Promise<ExperimentsCreateResult> {
    const { flags } = await this.parse(ExperimentsCreate);
    const { parseKeyValue } = await import('../../cli/kv.js');
    const { validateExperimentName, validateExperimentTag, MAX_EXPERIMENT_TAG_VAL_LENGTH_MLFLOW3 } = await import('../../tracking/validation.js');
    const name = validateExperimentName(flags['experiment-name']);
    // The value's length is the store's to check: it depends on the database's schema revision.
    const tags = (flags.tag ?? []).map((t) => validateExperimentTag(parseKeyValue(t, 'tag'), MAX_EXPERIMENT_TAG_VAL_LENGTH_MLFLOW3));
    const store = await this.openStore(flags['tracking-uri'], { writing: true });
    const id = await store.createExperiment({ artifactLocation: flags['artifact-location'], name, tags });
    this.log(`Created experiment '${name}' with id ${id}`);
    const { experimentToJson } = await import('../../tracking/rest-json.js');
    return experimentToJson(await store.getExperiment(id));
  }
}

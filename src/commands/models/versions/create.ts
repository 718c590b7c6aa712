import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsVersionsCreate extends BaseCommand<typeof ModelsVersionsCreate> {
  static override args = { name: Args.string({ description: 'Registered model name', required: true }) };
  static override description = 'Register a new version of a model from an artifact location (e.g. runs:/<run_id>/model or mlflow-artifacts:/…). Prints the version number; --json gives MLflow\'s model-versions/create shape.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> churn --source mlflow-artifacts:/1/abc/artifacts/model --tag validated=false',
    'VERSION=$(<%= config.bin %> <%= command.id %> churn --source "runs:/$RUN/model" --run-id "$RUN")',
    '<%= config.bin %> <%= command.id %> churn --source models:/m-0123456789abcdef0123456789abcdef --json | jq -r .model_version.model_id',
  ];
  static override flags = {
    description: Flags.string({ description: 'Description' }),
    'model-id': Flags.string({ description: 'The logged model (MLflow 3) the version comes from; a models:/<model_id> source names it already' }),
    'run-id': Flags.string({ description: 'The run that produced the model' }),
    'run-link': Flags.string({ description: 'A link to the run' }),
    source: Flags.string({ description: 'Where the model\'s files are', required: true }),
    tag: Flags.string({ char: 't', description: 'KEY=VALUE (repeatable)', multiple: true }),
  };

  async run(): Promise<{ model_version: Record<string, unknown> }> {
    const { args, flags } = await this.parse(ModelsVersionsCreate);
    const { parseKeyValue } = await import('../../../cli/kv.js');
    const { createModelVersion } = await import('../../../cli/model-version.js');
    const { modelVersionToJson } = await import('../../../tracking/registry-json.js');
    const tags = (flags.tag ?? []).map((t) => parseKeyValue(t, 'tag'));
    const store = await this.openStore(flags['tracking-uri']);
    const reg = await store.openRegistry();
    const v = await createModelVersion(store, reg, {
      description: flags.description,
      modelId: flags['model-id'],
      name: args.name,
      runId: flags['run-id'],
      runLink: flags['run-link'],
      source: flags.source,
      tags,
    });
    this.log(String(v.version));
    return { model_version: modelVersionToJson(v) };
  }
}

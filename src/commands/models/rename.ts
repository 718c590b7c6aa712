import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ModelsRename extends BaseCommand<typeof ModelsRename> {
  static override args = {
    name: Args.string({ description: 'Current name', required: true }),
    'new-name': Args.string({ description: 'New name', required: true }),
  };
  static override description = 'Rename a registered model (its versions, tags and aliases follow). --json gives MLflow\'s registered-models/rename shape.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn churn-v2'];

  async run(): Promise<{ registered_model: Record<string, unknown> }> {
    const { args, flags } = await this.parse(ModelsRename);
    const { registeredModelToJson } = await import('../../tracking/registry-json.js');
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    const model = await reg.renameRegisteredModel(args.name, args['new-name']);
    this.log(`Renamed registered model '${args.name}' to '${model.name}'`);
    return { registered_model: registeredModelToJson(model) };
  }
}

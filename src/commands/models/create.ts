import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ModelsCreate extends BaseCommand<typeof ModelsCreate> {
  static override args = { name: Args.string({ description: 'Registered model name', required: true }) };
  static override description = 'Create a registered model. --json gives MLflow\'s registered-models/create shape.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn --description "Churn classifier" --tag team=cv'];
  static override flags = {
    description: Flags.string({ description: 'Description' }),
    tag: Flags.string({ char: 't', description: 'KEY=VALUE (repeatable)', multiple: true }),
  };

  async run(): Promise<{ registered_model: Record<string, unknown> }> {
    const { args, flags } = await this.parse(ModelsCreate);
    const { parseKeyValue } = await import('../../cli/kv.js');
    const { registeredModelToJson } = await import('../../tracking/registry-json.js');
    const tags = (flags.tag ?? []).map((t) => parseKeyValue(t, 'tag'));
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    const model = await reg.createRegisteredModel({ name: args.name, description: flags.description, tags });
    this.log(`Created registered model '${model.name}'`);
    return { registered_model: registeredModelToJson(model) };
  }
}

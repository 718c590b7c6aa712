import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ModelsDescribe extends BaseCommand<typeof ModelsDescribe> {
  static override args = { name: Args.string({ description: 'Registered model name', required: true }) };
  static override description = 'Show a registered model: description, aliases, tags and the latest version in each stage. --json gives MLflow\'s registered-models/get shape.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn', '<%= config.bin %> <%= command.id %> churn --json | jq .registered_model.aliases'];

  async run(): Promise<{ registered_model: Record<string, unknown> }> {
    const { args, flags } = await this.parse(ModelsDescribe);
    const { registeredModelToJson } = await import('../../tracking/registry-json.js');
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    const model = await reg.getRegisteredModel(args.name);
    if (!this.jsonEnabled()) (await import('../../cli/print-registry.js')).printModel(model, (s) => this.log(s));
    return { registered_model: registeredModelToJson(model) };
  }
}

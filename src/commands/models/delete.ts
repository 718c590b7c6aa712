import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class ModelsDelete extends BaseCommand<typeof ModelsDelete> {
  static override args = { name: Args.string({ description: 'Registered model name', required: true }) };
  static override description = 'Delete a registered model with all its versions, tags and aliases (the artifacts stay).';
  static override examples = ['<%= config.bin %> <%= command.id %> churn'];

  async run(): Promise<Record<string, never>> {
    const { args, flags } = await this.parse(ModelsDelete);
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    await reg.deleteRegisteredModel(args.name);
    this.log(`Deleted registered model '${args.name}'`);
    return {};
  }
}

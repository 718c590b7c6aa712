import { Args } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsAliasDelete extends BaseCommand<typeof ModelsAliasDelete> {
  static override args = {
    name: Args.string({ description: 'Registered model name', required: true }),
    alias: Args.string({ description: 'Alias', required: true }),
  };
  static override description = 'Remove an alias from a registered model (nothing happens if it is not there).';
  static override examples = ['<%= config.bin %> <%= command.id %> churn champion'];

  async run(): Promise<Record<string, never>> {
    const { args, flags } = await this.parse(ModelsAliasDelete);
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    await reg.deleteRegisteredModelAlias(args.name, args.alias);
    this.log(`Deleted alias '${args.alias}' of registered model '${args.name}'`);
    return {};
  }
}

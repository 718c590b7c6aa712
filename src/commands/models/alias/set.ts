import { Args } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsAliasSet extends BaseCommand<typeof ModelsAliasSet> {
  static override args = {
    name: Args.string({ description: 'Registered model name', required: true }),
    alias: Args.string({ description: 'Alias (letters, digits, _ and -; not "latest" nor v<digits>)', required: true }),
    version: Args.string({ description: 'Version the alias points at', required: true }),
  };
  static override description = 'Point an alias at a model version (moving it if it exists), so models:/<name>@<alias> resolves to it.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn champion 3'];

  async run(): Promise<Record<string, never>> {
    const { args, flags } = await this.parse(ModelsAliasSet);
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    await reg.setRegisteredModelAlias(args.name, args.alias, args.version);
    this.log(`Alias '${args.alias}' of registered model '${args.name}' now points at version ${args.version}`);
    return {};
  }
}

import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsTagsDelete extends BaseCommand<typeof ModelsTagsDelete> {
  static override args = {
    name: Args.string({ description: 'Registered model name', required: true }),
    key: Args.string({ description: 'Tag key', required: true }),
  };
  static override description = 'Delete a tag of a registered model, or with --version of one of its versions.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn team', '<%= config.bin %> <%= command.id %> churn validated --version 3'];
  static override flags = {
    version: Flags.string({ description: 'Delete the tag of this model version instead' }),
  };

  async run(): Promise<Record<string, never>> {
    const { args, flags } = await this.parse(ModelsTagsDelete);
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    if (flags.version === undefined) await reg.deleteRegisteredModelTag(args.name, args.key);
    else await reg.deleteModelVersionTag(args.name, flags.version, args.key);
    return {};
  }
}

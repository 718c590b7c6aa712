import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsTagsSet extends BaseCommand<typeof ModelsTagsSet> {
  static override args = {
    name: Args.string({ description: 'Registered model name', required: true }),
    tag: Args.string({ description: 'KEY=VALUE', required: true }),
  };
  static override description = 'Set a tag on a registered model, or with --version on one of its versions.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn team=cv', '<%= config.bin %> <%= command.id %> churn validated=true --version 3'];
  static override flags = {
    version: Flags.string({ description: 'Tag this model version instead of the model' }),
  };

  async run(): Promise<Record<string, never>> {
    const { args, flags } = await this.parse(ModelsTagsSet);
    const { parseKeyValue } = await import('../../../cli/kv.js');
    const tag = parseKeyValue(args.tag, 'tag');
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    if (flags.version === undefined) await reg.setRegisteredModelTag(args.name, tag);
    else await reg.setModelVersionTag(args.name, flags.version, tag);
    return {};
  }
}

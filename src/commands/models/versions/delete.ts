import { Args } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsVersionsDelete extends BaseCommand<typeof ModelsVersionsDelete> {
  static override args = {
    name: Args.string({ description: 'Registered model name', required: true }),
    version: Args.string({ description: 'Version number', required: true }),
  };
  static override description = 'Delete a model version (its number is never reused; the artifacts stay).';
  static override examples = ['<%= config.bin %> <%= command.id %> churn 2'];

  async run(): Promise<Record<string, never>> {
    const { args, flags } = await this.parse(ModelsVersionsDelete);
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    await reg.deleteModelVersion(args.name, args.version);
    this.log(`Deleted version ${args.version} of registered model '${args.name}'`);
    return {};
  }
}

import { Args } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsVersionsDescribe extends BaseCommand<typeof ModelsVersionsDescribe> {
  static override args = {
    name: Args.string({ description: 'Registered model name', required: true }),
    version: Args.string({ description: 'Version number', required: true }),
  };
  static override description = 'Show a model version. --json gives MLflow\'s model-versions/get shape.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn 3 --json | jq -r .model_version.source'];

  async run(): Promise<{ model_version: Record<string, unknown> }> {
    const { args, flags } = await this.parse(ModelsVersionsDescribe);
    const { modelVersionToJson } = await import('../../../tracking/registry-json.js');
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    const v = await reg.getModelVersion(args.name, args.version);
    if (!this.jsonEnabled()) (await import('../../../cli/print-registry.js')).printVersions([v], undefined, (s) => this.log(s), (s) => this.logToStderr(s));
    return { model_version: modelVersionToJson(v) };
  }
}

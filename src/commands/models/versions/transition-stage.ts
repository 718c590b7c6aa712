import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';

export default class ModelsVersionsTransitionStage extends BaseCommand<typeof ModelsVersionsTransitionStage> {
  static override args = {
    name: Args.string({ description: 'Registered model name', required: true }),
    version: Args.string({ description: 'Version number', required: true }),
  };
  static override description = 'Move a model version to a stage (None, Staging, Production, Archived). --json gives MLflow\'s model-versions/transition-stage shape.';
  static override examples = ['<%= config.bin %> <%= command.id %> churn 3 --stage Production --archive-existing-versions'];
  static override flags = {
    'archive-existing-versions': Flags.boolean({ description: 'Archive the other versions in that stage (Staging or Production only)' }),
    stage: Flags.string({ description: 'The new stage', required: true }),
  };

  async run(): Promise<{ model_version: Record<string, unknown> }> {
    const { args, flags } = await this.parse(ModelsVersionsTransitionStage);
    const { modelVersionToJson } = await import('../../../tracking/registry-json.js');
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    const v = await reg.transitionModelVersionStage(args.name, args.version, flags.stage, flags['archive-existing-versions']);
    this.log(`Model '${v.name}' version ${v.version} is now in stage ${v.currentStage}`);
    return { model_version: modelVersionToJson(v) };
  }
}

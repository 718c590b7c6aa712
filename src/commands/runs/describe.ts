import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The run as MLflow's `runs/get` returns it (`info`, `data`, `inputs`, and MLflow 3's `outputs`). */
export type RunsDescribeResult = Record<string, unknown>;

export default class RunsDescribe extends BaseCommand<typeof RunsDescribe> {
  static override args = {
    runId: Args.string({ description: 'Run id (or --run-id)', ignoreStdin: true }),
  };
  static override description = 'Show a run: its info, params, latest metrics and tags (active or deleted).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --run-id 3f2a9c4e1b7d4e0f9a8b7c6d5e4f3a2b',
    '<%= config.bin %> <%= command.id %> "$RUN" --json | jq -r \'.data.metrics[] | "\\(.key)=\\(.value)"\'',
  ];
  static override flags = {
    'run-id': Flags.string({ description: 'Run id' }),
  };

  async run(): Promise<RunsDescribeResult> {
    const { args, flags } = await this.parse(RunsDescribe);
    const { pickId } = await import('../../cli/ids.js');
    const runId = pickId(args.runId, flags['run-id'], 'run-id');
    const store = await this.openStore(flags['tracking-uri'], { readOnly: true });
    const run = await store.getRun(runId);
    // MLflow 3's model links (a REST store already has them from runs/get).
    await (await import('../../tracking/logged-models.js')).withModelLinks(store.loggedModels, [run]);
    if (!this.jsonEnabled()) (await import('../../cli/print.js')).printRun(run, (s) => this.log(s));
    const { runToJson } = await import('../../tracking/rest-json.js');
    return runToJson(run);
  }
}

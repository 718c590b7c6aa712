import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The run after the change, as MLflow's `runs/get` returns it. */
export type RunsRestoreResult = Record<string, unknown>;

export default class RunsRestore extends BaseCommand<typeof RunsRestore> {
  static override args = {
    runId: Args.string({ description: 'Run id (or --run-id)', ignoreStdin: true }),
  };
  static override description = 'Restore a deleted run.';
  static override examples = ['<%= config.bin %> <%= command.id %> --run-id 3f2a9c4e1b7d4e0f9a8b7c6d5e4f3a2b'];
  static override flags = {
    'run-id': Flags.string({ description: 'Run id' }),
  };

  async run(): Promise<RunsRestoreResult> {
    const { args, flags } = await this.parse(RunsRestore);
    const { pickId } = await import('../../cli/ids.js');
    const runId = pickId(args.runId, flags['run-id'], 'run-id');
    const store = await this.openStore(flags['tracking-uri'], { writing: true });
    await store.restoreRun(runId);
    // MLflow's own wording (mlflow/runs.py), so scripts that grep it keep working.
    this.log(`Run with id ${runId} has been restored.`);
    const { runToJson } = await import('../../tracking/rest-json.js');
    return runToJson(await store.getRun(runId));
  }
}

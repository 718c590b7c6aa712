import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** The run as MLflow's `runs/get` returns it (`info`, `data`, `inputs`). */
export type RunsLogResult = Record<string, unknown>;

export default class RunsLog extends BaseCommand<typeof RunsLog> {
  /** MLflow 3's `mlflow runs create` starts a run and prints its id; `runs log` without data does the same. */
  static override aliases = ['runs:create'];
  static override args = {
    file: Args.string({ description: 'Same as --file: a JSON/YAML file, or - for stdin', ignoreStdin: true }),
  };
  static override description = `Create a run (or continue one) and log params, metrics and tags.

Prints the run id alone, so RUN=$(mlf runs log ...) works. Everything is checked before anything is written; on SQL stores one invocation is one transaction. Metrics take a step per value (loss=0.3@5) or from --step. --file reads {params, metrics, tags} from JSON or YAML (a list of numbers is a history at steps 0, 1, 2...). A new run gets MLflow's context tags (mlflow.user, mlflow.source.name, mlflow.source.type, and mlflow.source.git.commit inside a git checkout) unless --no-source-tags.

Environment: MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, MLFLOW_EXPERIMENT_ID, MLFLOW_RUN_ID, MLFLOW_TRUNCATE_LONG_VALUES.`;
  // Shell lines that do not start with `mlf` carry their own `$ `: oclif prefixes only lines that do.
  static override examples = [
    '<%= config.bin %> <%= command.id %> --experiment-name demo --param lr=0.01 --metric loss=0.25 --tag team=vision',
    'Keep the run id, then log a metric history and end the run:\n$ RUN=$(<%= config.bin %> <%= command.id %> --tracking-uri sqlite:///mlflow.db --run-name nightly)\n$ <%= config.bin %> <%= command.id %> --tracking-uri sqlite:///mlflow.db --run-id "$RUN" --metric loss=0.3@1 --metric loss=0.2@2 --status FINISHED',
    'Metrics from JSON on stdin (a list is a history at steps 0, 1, 2...):\n$ echo \'{"metrics": {"loss": [0.9, 0.5, 0.3]}}\' | <%= config.bin %> <%= command.id %> --run-id "$RUN" --file -',
  ];
  static override flags = {
    end: Flags.boolean({ description: 'End the run (status FINISHED unless --status says otherwise)' }),
    'experiment-id': Flags.string({ char: 'x', description: 'Experiment for a new run (default: $MLFLOW_EXPERIMENT_ID, else Default)', exclusive: ['experiment-name'] }),
    'experiment-name': Flags.string({ char: 'n', description: 'Experiment for a new run, created if missing (default: $MLFLOW_EXPERIMENT_NAME)' }),
    file: Flags.string({ char: 'f', description: 'JSON or YAML file with params, metrics and tags; - reads stdin' }),
    metric: Flags.string({ char: 'm', description: 'KEY=VALUE or KEY=VALUE@STEP (repeatable)', multiple: true }),
    param: Flags.string({ char: 'p', description: 'KEY=VALUE (repeatable)', multiple: true }),
    'run-id': Flags.string({ description: 'Continue this run (default: $MLFLOW_RUN_ID, else a new run)' }),
    'run-name': Flags.string({ description: 'Name of the run (renames an existing run)' }),
    'source-tags': Flags.boolean({ allowNo: true, default: true, description: 'Set MLflow\'s context tags on a new run' }),
    status: Flags.string({ description: 'Status to end the run with (implies --end)', options: ['FINISHED', 'FAILED', 'KILLED'] }),
    step: Flags.integer({ description: 'Step for metrics that give none (default 0)' }),
    tag: Flags.string({ char: 't', description: 'KEY=VALUE (repeatable)', multiple: true }),
  };

  async run(): Promise<RunsLogResult> {
    const { args, flags } = await this.parse(RunsLog);
    const { logRun, prepareRunLog, runLogInputFromArgs } = await import('../../cli/log-run.js');
    if (args.file !== undefined && flags.file !== undefined) this.error('Give the input file once: as an argument or with --file', { exit: 2 });
    const contextTags = flags['source-tags'] && !flags['run-id'] && !process.env.MLFLOW_RUN_ID
      ? (await import('../../cli/source-tags.js')).sourceTags()
      : undefined;
    const input = await runLogInputFromArgs({
      endStatus: (flags.status as 'FINISHED' | 'FAILED' | 'KILLED' | undefined) ?? (flags.end ? 'FINISHED' : undefined),
      experimentId: flags['experiment-id'],
      experimentName: flags['experiment-name'],
      file: flags.file ?? args.file,
      metrics: flags.metric,
      onWarning: (m) => this.logToStderr(`Warning: ${m}`),
      params: flags.param,
      runId: flags['run-id'],
      runName: flags['run-name'],
      step: flags.step,
      tags: flags.tag,
    });
    const plan = prepareRunLog({ ...input, contextTags: await contextTags });
    const store = await this.openStore(flags['tracking-uri'], { writing: true });
    const runId = await logRun(store, plan);
    if (!this.jsonEnabled()) {
      this.log(runId);
      return { info: { run_id: runId, run_uuid: runId } };
    }
    const { runToJson } = await import('../../tracking/rest-json.js');
    return runToJson(await store.getRun(runId));
  }
}

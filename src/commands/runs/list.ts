import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** MLflow's `runs/search` response. */
export interface RunsListResult {
  runs: Record<string, unknown>[];
  next_page_token?: string;
}

export default class RunsList extends BaseCommand<typeof RunsList> {
  static override description = `List runs, with MLflow's search filter and ordering.

Without --experiment-id/--experiment-name: $MLFLOW_EXPERIMENT_NAME, then $MLFLOW_EXPERIMENT_ID, then the Default experiment. Prints a table (colour only on a terminal, never with NO_COLOR), --csv, --json (MLflow's runs/search shape) or --json-lines (one run per line, in runs/get's shape, printed page by page). --columns takes metrics.*, params.* and tags.* for every key the listed runs have. With --view all the table shows each run's lifecycle stage. Without --all, one page of --max-results runs; the next page's token goes to stderr.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --experiment-name demo',
    '<%= config.bin %> <%= command.id %> --experiment-id 1 --filter "metrics.loss < 0.3 and params.lr = \'0.01\'" --order-by "metrics.loss ASC" --columns metrics.loss,params.lr',
    '<%= config.bin %> <%= command.id %> --experiment-name demo --all --csv --columns \'metrics.*\' --columns \'params.*\' > runs.csv',
    '<%= config.bin %> <%= command.id %> --experiment-name demo --all --json-lines | jq -r .info.run_id',
  ];
  static override flags = {
    all: Flags.boolean({ description: 'Follow every page', exclusive: ['page-token'] }),
    columns: Flags.string({ char: 'c', description: 'Extra columns: metrics.KEY, params.KEY, tags.KEY, or metrics.*, params.*, tags.* (comma-separated, repeatable)', multiple: true }),
    csv: Flags.boolean({ description: 'Print CSV', exclusive: ['json', 'json-lines'] }),
    'experiment-id': Flags.string({ char: 'x', description: 'Experiment id (repeatable)', multiple: true }),
    'experiment-name': Flags.string({ char: 'n', description: 'Experiment name (repeatable)', multiple: true }),
    'json-lines': Flags.boolean({ description: 'Print one JSON run per line as pages arrive (for streams)', exclusive: ['json'] }),
    filter: Flags.string({ description: 'Search filter in MLflow\'s grammar, e.g. "metrics.acc > 0.9 and tags.team = \'cv\'"' }),
    'max-results': Flags.integer({ description: 'Runs per page (1..50000)', default: 1000 }),
    'order-by': Flags.string({ description: 'e.g. "metrics.loss ASC", "attributes.start_time DESC" (repeatable)', multiple: true }),
    'page-token': Flags.string({ description: 'Token of the page to show, from a previous call' }),
    view: Flags.string({ char: 'v', default: 'active_only', description: 'Which runs', options: ['active_only', 'deleted_only', 'all'] }),
  };

  async run(): Promise<RunsListResult> {
    const { flags } = await this.parse(RunsList);
    const { expandColumns, parseColumn, searchRunsForCli, viewType } = await import('../../cli/search.js');
    const { runToJson } = await import('../../tracking/rest-json.js');
    const { splitList } = await import('../../cli/kv.js');
    const columns = splitList(flags.columns).map(parseColumn);
    const store = await this.openStore(flags['tracking-uri'], { readOnly: true });
    const jsonLines = flags['json-lines'] && !this.jsonEnabled();
    const res = await searchRunsForCli(store, {
      onPage: jsonLines ? (runs) => runs.forEach((r) => this.log(JSON.stringify(runToJson(r)))) : undefined,
      all: flags.all,
      experimentIds: flags['experiment-id'],
      experimentNames: flags['experiment-name'],
      filter: flags.filter,
      maxResults: flags['max-results'],
      orderBy: flags['order-by'],
      pageToken: flags['page-token'],
      view: viewType(flags.view),
    });
    if (jsonLines) {
      if (res.nextPageToken) this.logToStderr(`More runs: --page-token ${res.nextPageToken}`);
    } else if (!this.jsonEnabled()) {
      const { printRuns } = await import('../../cli/print.js');
      const options = { lifecycle: flags.view === 'all' };
      printRuns(res, expandColumns(columns, res.runs), flags.csv ? 'csv' : 'table', (s) => this.log(s), (s) => this.logToStderr(s), options);
    }
    const out: RunsListResult = { runs: res.runs.map(runToJson) };
    if (res.nextPageToken) out.next_page_token = res.nextPageToken;
    return out;
  }
}

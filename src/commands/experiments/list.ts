import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

/** MLflow's `experiments/search` response. */
export interface ExperimentsListResult {
  experiments: Record<string, unknown>[];
  next_page_token?: string;
}

export default class ExperimentsList extends BaseCommand<typeof ExperimentsList> {
  /** MLflow's name for it. */
  static override aliases = ['experiments:search'];
  static override description = `List experiments (MLflow's \`mlflow experiments search\`), with MLflow's filter and ordering.

Prints a table, --csv, or --json (MLflow's experiments/search shape). Without --all, one page of --max-results; the next page's token goes to stderr.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --view all --filter "name LIKE \'nightly-%\'" --order-by "creation_time DESC"',
    '<%= config.bin %> <%= command.id %> --all --json | jq -r \'.experiments[].name\'',
  ];
  static override flags = {
    all: Flags.boolean({ description: 'Follow every page', exclusive: ['page-token'] }),
    csv: Flags.boolean({ description: 'Print CSV', exclusive: ['json'] }),
    filter: Flags.string({ description: 'Search filter, e.g. "name LIKE \'demo%\' and tags.team = \'cv\'"' }),
    'max-results': Flags.integer({ description: 'Experiments per page (1..50000)', default: 1000 }),
    'order-by': Flags.string({ description: 'e.g. "name ASC", "creation_time DESC" (repeatable)', multiple: true }),
    'page-token': Flags.string({ description: 'Token of the page to show, from a previous call' }),
    view: Flags.string({ char: 'v', default: 'active_only', description: 'Which experiments', options: ['active_only', 'deleted_only', 'all'] }),
  };

  async run(): Promise<ExperimentsListResult> {
    const { flags } = await this.parse(ExperimentsList);
    const { searchExperimentsForCli, viewType } = await import('../../cli/search.js');
    const store = await this.openStore(flags['tracking-uri'], { readOnly: true });
    const page = await searchExperimentsForCli(store, {
      all: flags.all,
      filter: flags.filter,
      maxResults: flags['max-results'],
      orderBy: flags['order-by'],
      pageToken: flags['page-token'],
      view: viewType(flags.view),
    });
    if (!this.jsonEnabled()) {
      const { printExperiments } = await import('../../cli/print.js');
      printExperiments(page, flags.csv ? 'csv' : 'table', (s) => this.log(s), (s) => this.logToStderr(s));
    }
    const { experimentToJson } = await import('../../tracking/rest-json.js');
    const out: ExperimentsListResult = { experiments: page.items.map(experimentToJson) };
    if (page.nextPageToken) out.next_page_token = page.nextPageToken;
    return out;
  }
}

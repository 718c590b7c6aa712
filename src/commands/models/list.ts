import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { collectPages } from '../../tracking/pages.js';

/** MLflow's `registered-models/search` response. */
export interface ModelsListResult {
  registered_models: Record<string, unknown>[];
  next_page_token?: string;
}

export default class ModelsList extends BaseCommand<typeof ModelsList> {
  static override aliases = ['models:search'];
  static override description = `List registered models, with MLflow's registry filter grammar (name and tags.<key> with =, !=, LIKE, ILIKE, joined by AND).

Needs a database store or a tracking server. Prints a table, or --json (MLflow's registered-models/search shape).`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --tracking-uri sqlite:///mlflow.db',
    '<%= config.bin %> <%= command.id %> --filter "name LIKE \'churn%\'" --order-by "last_updated_timestamp DESC" --json',
  ];
  static override flags = {
    all: Flags.boolean({ description: 'Follow every page', exclusive: ['page-token'] }),
    filter: Flags.string({ description: 'e.g. "name LIKE \'churn%\' AND tags.team = \'cv\'"' }),
    'max-results': Flags.integer({ description: 'Models per page (1..1000)', default: 100 }),
    'order-by': Flags.string({ description: 'e.g. "name ASC", "last_updated_timestamp DESC" (repeatable)', multiple: true }),
    'page-token': Flags.string({ description: 'Token of the page to show, from a previous call' }),
  };

  async run(): Promise<ModelsListResult> {
    const { flags } = await this.parse(ModelsList);
    const { registeredModelToJson } = await import('../../tracking/registry-json.js');
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    const { items, nextPageToken: token } = await collectPages(
      (pageToken) => reg.searchRegisteredModels({ filter: flags.filter, maxResults: flags['max-results'], orderBy: flags['order-by'], pageToken }),
      { pageToken: flags['page-token'], all: flags.all },
    );
    if (!this.jsonEnabled()) {
      const { printModels } = await import('../../cli/print-registry.js');
      printModels(items, token, (s) => this.log(s), (s) => this.logToStderr(s));
    }
    const out: ModelsListResult = { registered_models: items.map(registeredModelToJson) };
    if (token) out.next_page_token = token;
    return out;
  }
}

import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';
import { collectPages } from '../../../tracking/pages.js';

/** MLflow's `model-versions/search` response. */
export interface VersionsListResult {
  model_versions: Record<string, unknown>[];
  next_page_token?: string;
}

export default class ModelsVersionsList extends BaseCommand<typeof ModelsVersionsList> {
  static override aliases = ['models:versions:search'];
  static override args = { name: Args.string({ description: 'Only this registered model\'s versions' }) };
  static override description = `List model versions, with MLflow's filter grammar for versions (name, run_id, source_path, version_number, tags.<key>).

Prints a table, or --json (MLflow's model-versions/search shape).`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> churn',
    '<%= config.bin %> <%= command.id %> --filter "run_id = \'$RUN\'" --json',
  ];
  static override flags = {
    all: Flags.boolean({ description: 'Follow every page', exclusive: ['page-token'] }),
    filter: Flags.string({ description: 'e.g. "tags.validated = \'true\'" (AND-ed with the name given)' }),
    'max-results': Flags.integer({ description: 'Versions per page', default: 1000 }),
    'order-by': Flags.string({ description: 'e.g. "version_number DESC" (repeatable)', multiple: true }),
    'page-token': Flags.string({ description: 'Token of the page to show, from a previous call' }),
  };

  async run(): Promise<VersionsListResult> {
    const { args, flags } = await this.parse(ModelsVersionsList);
    const { modelVersionToJson } = await import('../../../tracking/registry-json.js');
    // MLflow's grammar has no escapes: a name with a single quote goes in double quotes.
    const byName = args.name === undefined ? undefined : args.name.includes("'") ? `name = "${args.name}"` : `name = '${args.name}'`;
    const filter = [byName, flags.filter].filter(Boolean).join(' AND ') || undefined;
    const reg = await (await this.openStore(flags['tracking-uri'])).openRegistry();
    const { items, nextPageToken: token } = await collectPages(
      (pageToken) => reg.searchModelVersions({ filter, maxResults: flags['max-results'], orderBy: flags['order-by'], pageToken }),
      { pageToken: flags['page-token'], all: flags.all },
    );
    if (!this.jsonEnabled()) {
      const { printVersions } = await import('../../../cli/print-registry.js');
      printVersions(items, token, (s) => this.log(s), (s) => this.logToStderr(s));
    }
    const out: VersionsListResult = { model_versions: items.map(modelVersionToJson) };
    if (token) out.next_page_token = token;
    return out;
  }
}

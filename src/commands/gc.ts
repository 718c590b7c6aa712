import { Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import type { GcSummary } from '../gc/gc.js';

export default class Gc extends BaseCommand<typeof Gc> {
  static override description =
    'Permanently delete runs in the `deleted` lifecycle stage, and deleted experiments, with all their rows and artifacts.';
  static override examples = [
    '<%= config.bin %> gc --backend-store-uri sqlite:///mlflow.db --older-than 30d --dry-run',
    '<%= config.bin %> gc --run-ids 6f1c...,9ab2... --json',
    '<%= config.bin %> gc --experiment-ids 3 --artifacts-destination ./mlartifacts',
  ];
  static override flags = {
    'artifacts-destination': Flags.string({
      description: 'Base folder of `mlflow-artifacts:` URIs (as the server was started with)',
      env: 'MLFLOW_ARTIFACTS_DESTINATION',
    }),
    'backend-store-uri': Flags.string({ description: 'Store to purge (default: --tracking-uri, $MLFLOW_TRACKING_URI, then ./mlruns)' }),
    'dry-run': Flags.boolean({ description: 'List what would be purged, with counts, and change nothing' }),
    'experiment-ids': Flags.string({ description: 'Comma-separated deleted experiments to purge with all their runs (default: all deleted experiments)' }),
    'older-than': Flags.string({ description: "Only what was deleted longer ago than this, '#d#h#m#s' (e.g. 1d2h3m4s, 1.5d)" }),
    'run-ids': Flags.string({ description: 'Comma-separated deleted runs to purge (default: all deleted runs)' }),
    'show-ids': Flags.boolean({ description: 'With --dry-run: list every run and experiment id that would go, after the summary (--json always has them)' }),
  };

  async run(): Promise<GcSummary> {
    const { flags } = await this.parse(Gc);
    const { runGc } = await import('../gc/gc.js');
    const { planningLine } = await import('../gc/progress.js');
    const { progressBar } = await import('../lib/progress.js');
    const { formatSummary } = await import('../gc/summary.js');
    const store = await this.openStore(flags['backend-store-uri'] ?? flags['tracking-uri'], { writing: true });
    const json = this.jsonEnabled();
    const planning = json ? { clear: () => undefined } : planningLine('Finding deleted runs and experiments...');
    const summary = await runGc(store, {
      olderThan: flags['older-than'],
      runIds: flags['run-ids'] === undefined ? undefined : [flags['run-ids']],
      experimentIds: flags['experiment-ids'] === undefined ? undefined : [flags['experiment-ids']],
      artifactsDestination: flags['artifacts-destination'],
      dryRun: flags['dry-run'],
      progress: json
        ? undefined
        : (total) => {
            planning.clear();
            return progressBar(total, flags['dry-run'] ? 'Measuring' : 'Purging');
          },
    }).finally(() => planning.clear());
    if (!json) for (const line of formatSummary(summary, { ids: flags['show-ids'] })) this.log(line);
    return summary;
  }
}

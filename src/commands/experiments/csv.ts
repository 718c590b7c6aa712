import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export interface ExperimentsCsvResult {
  experiment_id: string;
  runs: number;
  filename?: string;
}

export default class ExperimentsCsv extends BaseCommand<typeof ExperimentsCsv> {
  static override description = `Export every active run of an experiment as CSV, as \`mlflow experiments csv\` does.

Columns: run_id, experiment_id, status, artifact_uri, start_time, end_time, then metrics.<key>, params.<key> and tags.<key> for every key any run has (empty where a run has none). Without --filename the CSV goes to stdout.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> -x 1 > runs.csv',
    '<%= config.bin %> <%= command.id %> --experiment-id 1 --filename runs.csv',
  ];
  static override flags = {
    'experiment-id': Flags.string({ char: 'x', description: 'Experiment id', required: true }),
    filename: Flags.string({ char: 'o', description: 'Write the CSV to this file (replaced if it exists)' }),
  };

  async run(): Promise<ExperimentsCsvResult> {
    const { flags } = await this.parse(ExperimentsCsv);
    const { searchRunsForCli } = await import('../../cli/search.js');
    const { runsFrameCsv } = await import('../../cli/runs-frame.js');
    const store = await this.openStore(flags['tracking-uri']);
    const id = flags['experiment-id'];
    const res = await searchRunsForCli(store, { all: true, experimentIds: [id], maxResults: 50_000, view: 'ACTIVE_ONLY' });
    const csv = runsFrameCsv(res.runs);
    const out: ExperimentsCsvResult = { experiment_id: id, runs: res.runs.length };
    if (flags.filename) {
      const { writeFileAtomic } = await import('../../cli/write-file.js');
      await writeFileAtomic(flags.filename, csv);
      this.log(`Experiment with ID ${id} has been exported as a CSV to file: ${flags.filename}.`);
      out.filename = flags.filename;
    } else if (!this.jsonEnabled()) {
      process.stdout.write(csv);
    }
    return out;
  }
}

import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import type { ImportResult } from '../../import/importer.js';

export default class DbImport extends BaseCommand<typeof DbImport> {
  static override description =
    'Copy a tracking store (an mlruns folder or a database) into a SQL database, losing nothing: run ids, times, every metric point, ' +
    'datasets, and the Model Registry and traces of a database source. The target is created or upgraded first. ' +
    'Experiment ids that do not fit are renumbered (the map is printed and written to a file). Run it again to resume or to bring ' +
    'over what is new; it checks counts per experiment and per run at the end and exits 1 if anything differs.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --from ./mlruns --to sqlite:///mlflow.db',
    '<%= config.bin %> <%= command.id %> --from ./mlruns --to postgresql://mlflow:secret@db/mlflow --yes',
    '<%= config.bin %> <%= command.id %> --from sqlite:///mlflow.db --to mysql://root@127.0.0.1/mlflow --dry-run',
    '<%= config.bin %> <%= command.id %> --from ./mlruns --to sqlite:///mlflow.db --skip-broken --json',
  ];
  static override flags = {
    'batch-size': Flags.integer({ default: 200, description: 'Runs per transaction', max: 10000, min: 1 }),
    backup: Flags.boolean({ description: 'SQLite target: write a backup beside the file before a one-way migration, then go on' }),
    'dry-run': Flags.boolean({ description: 'Report what would be copied; write nothing' }),
    from: Flags.string({ description: 'Source: an mlruns folder (path or file:) or a database URI', required: true }),
    'id-map': Flags.string({ description: 'Where to write the experiment id map when ids are renumbered (default: beside a SQLite target, else ./mlf-import-id-map-<db>.json)' }),
    'skip-broken': Flags.boolean({ description: 'Leave out experiments and runs whose meta.yaml is corrupt, and list them' }),
    to: Flags.string({ description: 'Target database URI (sqlite:///mlflow.db, postgresql://..., mysql://..., mssql://...)', required: true }),
    'to-revision': Flags.string({ description: "Schema revision of the target (default: the head 'mlf db upgrade' goes to)" }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask before a one-way migration of the target (you have a backup)' }),
  };

  async run(): Promise<ImportResult> {
    const { flags } = await this.parse(DbImport);
    const { importStore } = await import('../../import/importer.js');
    const { NO_PROGRESS, progressBar } = await import('../../lib/progress.js');
    const { confirmOneWay } = await import('../../stores/sql/admin.js');
    const { renderImport } = await import('../../import/summary.js');
    const say = (line: string) => (this.jsonEnabled() ? this.logToStderr(line) : this.log(line));
    const ask = process.stdin.isTTY && !this.jsonEnabled() ? terminalQuestion : undefined;
    const r = await importStore({
      from: flags.from,
      to: flags.to,
      toRevision: flags['to-revision'],
      dryRun: flags['dry-run'],
      skipBroken: flags['skip-broken'],
      idMapFile: flags['id-map'],
      batchSize: flags['batch-size'],
      onBeforeOneWay: (conn, from) => confirmOneWay(conn, from, { yes: flags.yes, backup: flags.backup, ask, log: say }),
      log: say,
      progress: (total) =>
        this.jsonEnabled() ? NO_PROGRESS : progressBar(total, 'Importing runs', process.stderr, Date.now, (n, s) => `${s > 0 ? (n / s).toFixed(0) : 0} runs/s`),
    });
    if (!this.jsonEnabled()) for (const line of renderImport(r)) this.log(line);
    if (r.differences.length) process.exitCode = 1;
    return r;
  }
}

async function terminalQuestion(q: string): Promise<string> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(q);
  } finally {
    rl.close();
  }
}

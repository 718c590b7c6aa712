import { Args, Errors, Flags } from '@oclif/core';
import { MlfCommand } from '../../lib/base-command.js';

export interface DbUpgradeResult {
  from: string | null;
  to: string | null;
  applied: string[];
  pending: string[];
  oneWay: string[];
}

export default class DbUpgrade extends MlfCommand {
  static override args = {
    url: Args.string({ description: 'Database URI (sqlite:///mlflow.db, postgresql://..., mysql://..., mssql://...)', ignoreStdin: true, required: true }),
  };
  static override description =
    "Upgrade an MLflow database to the newest schema revision mlf knows, or to --to's, or create it in an empty database. " +
    'Each migration is recorded in alembic_version under MLflow\'s revision id, so MLflow and mlf can share the database. ' +
    'Before a one-way migration (2d6e25af4d3e; 400f98739977, after which MLflow 2.x servers cannot open the database) it asks about a backup.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> sqlite:///mlflow.db',
    '<%= config.bin %> <%= command.id %> postgresql://mlflow:secret@db/mlflow --dry-run',
    '<%= config.bin %> <%= command.id %> mysql://root@127.0.0.1/mlflow --yes --json',
    '<%= config.bin %> <%= command.id %> sqlite:///mlflow.db --to 2.17',
  ];
  static override flags = {
    backup: Flags.boolean({ description: 'SQLite: write a backup beside the file before a one-way migration, then go on' }),
    'dry-run': Flags.boolean({ description: 'List the pending migrations; change nothing' }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask before a one-way migration (you have a backup)' }),
    to: Flags.string({ description: 'Stop at this revision id, or at the revision an MLflow release runs on (e.g. 2.17, 3.0); default: the newest mlf knows' }),
  };

  async run(): Promise<DbUpgradeResult> {
    const { args, flags } = await this.parse(DbUpgrade);
    const { parseDbUri } = await import('../../tracking/uri.js');
    const { HEAD_REVISION, confirmOneWay, connectSql, currentRevision, resolveTarget, upgrade } = await import('../../stores/sql/admin.js');
    const say = (line: string) => (this.jsonEnabled() ? this.logToStderr(line) : this.log(line));
    const target = flags.to === undefined ? HEAD_REVISION : resolveTarget(flags.to);
    const { refuseInMemory } = await import('../../stores/open-store.js');
    const uri = parseDbUri(args.url);
    refuseInMemory(uri);
    const conn = await connectSql(uri);
    try {
      const ask = process.stdin.isTTY && !this.jsonEnabled() ? await terminalQuestion() : undefined;
      const from = await currentRevision(conn.db);
      const onBeforeOneWay = confirmOneWay(conn, from, { yes: flags.yes, backup: flags.backup, ask, log: say });
      const r = await upgrade(conn, { dryRun: flags['dry-run'], onBeforeOneWay, log: say, to: target });
      if (r.pending.length === 0) {
        if (r.from === target) say(`Database is at ${target === HEAD_REVISION ? 'head ' : ''}${target}: nothing to do.`);
        else say(`Database is at ${r.from}, past ${target}: nothing to do (mlf never downgrades).`);
      } else if (flags['dry-run']) {
        say(`${r.pending.length} pending migration(s) from ${r.from ?? 'an empty database'}:\n  ${r.pending.join('\n  ')}`);
        for (const n of r.oneWay) say(`One-way: ${n}`);
      } else say(`Upgraded from ${r.from ?? 'an empty database'} to ${r.to} (${r.applied.length} migration(s)).`);
      return r;
    } finally {
      await conn.close();
    }
  }
}

/**
 * A question on the terminal. Ctrl-C ends mlf with 130 (as a shell reports SIGINT), nothing changed;
 * the end of input (Ctrl-D) is an empty answer, the default.
 */
async function terminalQuestion(): Promise<(q: string) => Promise<string>> {
  const readline = await import('node:readline');
  return (q) =>
    new Promise<string>((resolve, reject) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        rl.close();
        fn();
      };
      rl.on('SIGINT', () =>
        finish(() => {
          process.stderr.write('\n');
          reject(new Errors.ExitError(130));
        }),
      );
      rl.on('close', () => finish(() => resolve('')));
      rl.question(q, (answer) => finish(() => resolve(answer)));
    });
}

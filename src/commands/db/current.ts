import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export interface DbCurrentResult {
  current: string | null;
  head: string;
  pending: number;
  pendingMigrations: string[];
}

export default class DbCurrent extends BaseCommand<typeof DbCurrent> {
  static override args = {
    url: Args.string({ description: 'Database URI (sqlite:///mlflow.db, postgresql://..., mysql://..., mssql://...)', ignoreStdin: true, required: true }),
  };
  static override description =
    "Print a database's MLflow schema revision (from alembic_version), the head mlf upgrades to, and how many migrations are pending. " +
    'Exits 1 if the revision is not one mlf knows, or if a SQLite file fails PRAGMA quick_check.';
  static override examples = ['<%= config.bin %> <%= command.id %> sqlite:///mlflow.db', '<%= config.bin %> <%= command.id %> postgresql://mlflow@db/mlflow --json'];

  async run(): Promise<DbCurrentResult> {
    const { args } = await this.parse(DbCurrent);
    const { parseDbUri } = await import('../../tracking/uri.js');
    const { connectSql } = await import('../../stores/sql/connect.js');
    const { schemaStatus, migrationLabel } = await import('../../stores/sql/migrate/index.js');
    const { integrityProblem, corruptDatabaseError } = await import('../../stores/sql/integrity.js');
    const conn = await connectSql(parseDbUri(args.url));
    try {
      // A scrambled SQLite file can still show a revision: say it is corrupt instead of "at head".
      const problem = await integrityProblem(conn);
      if (problem !== null) throw corruptDatabaseError(conn, problem);
      const s = await schemaStatus(conn);
      const result = { current: s.current, head: s.head, pending: s.pending.length, pendingMigrations: s.pending.map(migrationLabel) };
      this.log(`Current revision: ${s.current ?? 'none (no alembic_version)'}`);
      this.log(`Head revision:    ${s.head}`);
      this.log(`Pending:          ${s.pending.length} migration(s)`);
      return result;
    } finally {
      await conn.close();
    }
  }
}

import { Args } from '@oclif/core';
import { MlfCommand } from '../../lib/base-command.js';

export interface DbCurrentResult {
  current: string | null;
  head: string;
  pending: number;
  pendingMigrations: string[];
}

export default class DbCurrent extends MlfCommand {
  static override args = {
    url: Args.string({ description: 'Database URI (sqlite:///mlflow.db, postgresql://..., mysql://..., mssql://...)', ignoreStdin: true, required: true }),
  };
  static override description =
    "Print a database's MLflow schema revision (from alembic_version), the head mlf upgrades to, and how many migrations are pending. " +
    'Exits 1 if the revision is not one mlf knows.';
  static override examples = ['<%= config.bin %> <%= command.id %> sqlite:///mlflow.db', '<%= config.bin %> <%= command.id %> postgresql://mlflow@db/mlflow --json'];

  async run(): Promise<DbCurrentResult> {
    const { args } = await this.parse(DbCurrent);
    const { parseDbUri } = await import('../../tracking/uri.js');
    const { connectSql } = await import('../../stores/sql/connect.js');
    const { schemaStatus, migrationLabel } = await import('../../stores/sql/migrate/index.js');
    const { noStoreError } = await import('../../stores/no-store.js');
    const uri = parseDbUri(args.url);
    // Reading only: a missing file is reported, never created, and the file is opened read-only.
    const conn = await connectSql(uri, undefined, { readOnly: true });
    try {
      const s = await schemaStatus(conn);
      if (s.current === null) throw noStoreError(uri.uri);
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

import { Args } from '@oclif/core';
import { MlfCommand } from '../../lib/base-command.js';

export interface DbCurrentResult {
  current: string | null;
  /** The MLflow releases that run on the current revision, in words. */
  currentReleases: string | null;
  head: string;
  headReleases: string;
  pending: number;
  pendingMigrations: string[];
  /** Pending migrations that cannot be undone, with why. */
  oneWay: string[];
}

export default class DbCurrent extends MlfCommand {
  static override args = {
    url: Args.string({ description: 'Database URI (sqlite:///mlflow.db, postgresql://..., mysql://..., mssql://...)', ignoreStdin: true, required: true }),
  };
  static override description =
    "Print a database's MLflow schema revision (from alembic_version) and the MLflow releases that run on it, the head mlf upgrades to, " +
    'and what an upgrade would do. Exits 1 if the revision is not one mlf knows, or if a SQLite file fails PRAGMA quick_check.';
  static override examples = ['<%= config.bin %> <%= command.id %> sqlite:///mlflow.db', '<%= config.bin %> <%= command.id %> postgresql://mlflow@db/mlflow --json'];

  async run(): Promise<DbCurrentResult> {
    const { args } = await this.parse(DbCurrent);
    const { parseDbUri } = await import('../../tracking/uri.js');
    const { connectSql, corruptDatabaseError, integrityProblem, migrationLabel, oneWayNotes, releasesOf, schemaStatus } = await import('../../stores/sql/admin.js');
    const { noStoreError } = await import('../../stores/no-store.js');
    const uri = parseDbUri(args.url);
    // Reading only: a missing file is reported, never created, and the file is opened read-only.
    const conn = await connectSql(uri, undefined, { readOnly: true });
    try {
      // A scrambled SQLite file can still show a revision: say it is corrupt instead of "at head".
      const problem = await integrityProblem(conn);
      if (problem !== null) throw corruptDatabaseError(conn, problem);
      const s = await schemaStatus(conn);
      if (s.current === null) throw noStoreError(uri.uri);
      const result: DbCurrentResult = {
        current: s.current,
        currentReleases: releasesOf(s.current),
        head: s.head,
        headReleases: releasesOf(s.head),
        pending: s.pending.length,
        pendingMigrations: s.pending.map(migrationLabel),
        oneWay: oneWayNotes(s.pending),
      };
      this.log(`Current revision: ${s.current}${result.currentReleases ? ` (${result.currentReleases})` : ''}`);
      this.log(`Head revision:    ${s.head} (${result.headReleases})`);
      this.log(`Pending:          ${s.pending.length} migration(s)`);
      for (const l of result.pendingMigrations) this.log(`  ${l}`);
      for (const n of result.oneWay) this.log(`One-way: ${n}`);
      return result;
    } finally {
      await conn.close();
    }
  }
}

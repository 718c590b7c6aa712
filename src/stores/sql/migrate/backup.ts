/**
 * Backups before a one-way migration (2d6e25af4d3e): a consistent SQLite copy through better-sqlite3's
 * online backup API, or the dump command for a server database (mlf does not run server tools itself).
 */
import path from 'node:path';
import { MlfError } from '../../../lib/errors.js';
import type { SqlStoreUri } from '../../../tracking/uri.js';
import type { SqlConnection } from '../connect.js';
import { rawSqliteHandle } from '../dialects/sqlite.js';
import { migrationLabel } from './runner.js';
import type { Migration } from './ddl.js';

/** True where mlf can write the backup itself. */
export function canWriteBackup(uri: SqlStoreUri): boolean {
  return uri.dialect === 'sqlite' && uri.sqlitePath !== undefined && uri.sqlitePath !== ':memory:';
}

/**
 * Write `<file>.backup-<revision>-<timestamp>` beside a SQLite database (online backup: consistent
 * even while others write) and return its path.
 */
export async function writeSqliteBackup(conn: SqlConnection, revision: string | null): Promise<string> {
  const raw = rawSqliteHandle(conn.db);
  const file = conn.uri.sqlitePath;
  if (!raw || !file || file === ':memory:') throw new MlfError('Only a SQLite database file can be backed up by mlf', 'INVALID_PARAMETER_VALUE');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const dest = `${file}.backup-${revision ?? 'none'}-${stamp}`;
  await raw.backup(dest);
  return dest;
}

const sh = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command that dumps a server database, password masked as `***`. */
export function dumpCommand(uri: SqlStoreUri, revision: string | null): string {
  const db = uri.database ?? '';
  const out = `${db || 'mlflow'}-backup-${revision ?? 'none'}`;
  const pw = uri.password !== undefined ? '***' : undefined;
  switch (uri.dialect) {
    case 'postgresql':
      return [
        pw ? `PGPASSWORD=${pw}` : '',
        'pg_dump',
        `-h ${sh(uri.host ?? 'localhost')}`,
        `-p ${uri.port ?? 5432}`,
        uri.user ? `-U ${sh(uri.user)}` : '',
        `-Fc -f ${sh(out + '.dump')}`,
        sh(db),
      ]
        .filter(Boolean)
        .join(' ');
    case 'mysql':
      return [
        'mysqldump',
        `-h ${sh(uri.host ?? 'localhost')}`,
        `-P ${uri.port ?? 3306}`,
        uri.user ? `-u ${sh(uri.user)}` : '',
        pw ? `-p${pw}` : '',
        '--single-transaction --routines',
        sh(db),
        `> ${sh(out + '.sql')}`,
      ]
        .filter(Boolean)
        .join(' ');
    case 'mssql':
      return [
        'sqlcmd',
        `-S ${sh(`${uri.host ?? 'localhost'},${uri.port ?? 1433}`)}`,
        uri.user ? `-U ${sh(uri.user)}` : '',
        pw ? `-P ${pw}` : '',
        `-Q ${sh(`BACKUP DATABASE [${db}] TO DISK = N'${out}.bak'`)}`,
      ]
        .filter(Boolean)
        .join(' ');
    case 'sqlite':
      return `sqlite3 ${sh(uri.sqlitePath ?? '')} ${sh(`.backup ${path.basename(uri.sqlitePath ?? 'mlflow.db')}.${out}`)}`;
  }
}

export interface OneWayPrompt {
  /** --yes: the user has a backup. */
  yes: boolean;
  /** --backup: write one (SQLite) before going on. */
  backup: boolean;
  /** Ask a question on the terminal, or undefined when stdin is not a TTY. */
  ask?: (question: string) => Promise<string>;
  log: (line: string) => void;
}

/**
 * The `onBeforeOneWay` of `mlf db upgrade`: explain the migration, then go on (--yes), write a backup
 * (--backup or answer "b", SQLite), or ask. With no TTY and no --yes it refuses, having changed nothing.
 */
export function confirmOneWay(conn: SqlConnection, from: string | null, p: OneWayPrompt): (m: Migration) => Promise<boolean> {
  return async (m) => {
    const sqlite = canWriteBackup(conn.uri);
    const backupNow = async () => {
      if (!sqlite) {
        throw new MlfError(
          `mlf cannot back up a server database itself. Take a backup, e.g.: ${dumpCommand(conn.uri, from)} — then run 'mlf db upgrade' again with --yes.`,
          'ABORTED',
        );
      }
      p.log(`Backup written to ${await writeSqliteBackup(conn, from)}`);
      return true;
    };
    p.log(`Migration ${migrationLabel(m)} cannot be undone: ${m.oneWay}.`);
    if (p.backup) return backupNow();
    if (p.yes) return true;
    if (!p.ask) {
      throw new MlfError(
        `Migration ${m.revision} cannot be undone and needs a backup first; nothing was changed. ` +
          (sqlite ? `Re-run with --backup to have mlf write one, or with --yes if you have one.` : `Take one (${dumpCommand(conn.uri, from)}), then re-run with --yes.`),
        'ABORTED',
      );
    }
    if (!sqlite) p.log(`To take a backup: ${dumpCommand(conn.uri, from)}`);
    // An answer it does not know is asked again, never taken as "no": a typo must not cancel
    // (nor go on). Enter alone, or the end of input, is the default: No.
    for (;;) {
      const answer = (
        await p.ask(sqlite ? 'Do you have a backup? [y]es, go on / [b]ack up now / [N]o, stop: ' : 'Do you have a backup? [y]es, go on / [N]o, stop: ')
      )
        .trim()
        .toLowerCase();
      if (answer === 'y' || answer === 'yes') return true;
      if (sqlite && (answer === 'b' || answer === 'backup')) return backupNow();
      if (answer === '' || answer === 'n' || answer === 'no') return false;
      p.log(`Please answer ${sqlite ? 'y, b or n' : 'y or n'}.`);
    }
  };
}

/**
 * The question before a one-way migration (2d6e25af4d3e): go on, have mlf write a backup where its
 * dialect can (SQLite), or print the dialect's backup command (dialects/<name>/backup.ts).
 */
import { MlfError } from '../../../lib/errors.js';
import type { SqlConnection } from '../connect.js';
import { migrationLabel } from './runner.js';
import type { Migration } from './ddl.js';

/** True where mlf can write the backup itself. */
export function canWriteBackup(conn: SqlConnection): boolean {
  return conn.dialect.backup.canWrite?.(conn.uri) ?? false;
}

/** The command that backs a database up, password masked as `***`. */
export function dumpCommand(conn: SqlConnection, revision: string | null): string {
  return conn.dialect.backup.command(conn.uri, revision);
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
 * Called once per one-way migration of an upgrade (each is explained, and asked about on a terminal);
 * a backup is written at most once.
 */
export function confirmOneWay(conn: SqlConnection, from: string | null, p: OneWayPrompt): (m: Migration) => Promise<boolean> {
  let backedUp = false;
  return async (m) => {
    const sqlite = canWriteBackup(conn);
    const backupNow = async () => {
      if (backedUp) return true;
      if (!sqlite) {
        throw new MlfError(
          `mlf cannot back up a server database itself. Take a backup, e.g.: ${dumpCommand(conn, from)} — then run 'mlf db upgrade' again with --yes.`,
          'ABORTED',
        );
      }
      p.log(`Backup written to ${await conn.dialect.backup.write!(conn.db, conn.uri, from)}`);
      backedUp = true;
      return true;
    };
    p.log(`Migration ${migrationLabel(m)} cannot be undone: ${m.oneWay}.`);
    if (p.backup) return backupNow();
    if (p.yes) return true;
    if (!p.ask) {
      throw new MlfError(
        `Migration ${m.revision} cannot be undone and needs a backup first; nothing was changed. ` +
          (sqlite ? `Re-run with --backup to have mlf write one, or with --yes if you have one.` : `Take one (${dumpCommand(conn, from)}), then re-run with --yes.`),
        'ABORTED',
      );
    }
    if (!sqlite) p.log(`To take a backup: ${dumpCommand(conn, from)}`);
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

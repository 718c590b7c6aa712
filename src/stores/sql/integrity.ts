/**
 * SQLite's own corruption check (`PRAGMA quick_check`: every page and index structure, without
 * comparing index contents to tables) for `db current` and for commands about to write: a
 * scrambled file is reported in one line instead of taking more rows on top of broken pages.
 * Other dialects have no cheap equivalent and their servers guard their own files.
 *
 * @example
 * await assertIntact(conn); // throws DATA_LOSS on a corrupt SQLite file
 */
import { sql } from 'kysely';
import { MlfError } from '../../lib/errors.js';
import type { SqlConnection } from './connect.js';

/** null when intact (or not SQLite), else what `quick_check` (or opening the file) reported first. */
export async function integrityProblem(conn: SqlConnection): Promise<string | null> {
  if (conn.dialect.name !== 'sqlite') return null;
  try {
    const { rows } = await sql<Record<string, unknown>>`pragma quick_check`.execute(conn.db);
    const lines = rows.map((r) => String(Object.values(r)[0]));
    return lines.length === 1 && lines[0] === 'ok' ? null : (lines[0] ?? 'no answer');
  } catch (e) {
    // "database disk image is malformed" and the like come as errors, not rows.
    return String((e as Error)?.message ?? e).split('\n')[0]!;
  }
}

export function corruptDatabaseError(conn: SqlConnection, problem: string): MlfError {
  const file = conn.uri.sqlitePath ?? conn.uri.uri;
  return new MlfError(`The SQLite database ${file} is corrupt (PRAGMA quick_check: ${problem}); restore it from a backup.`, 'DATA_LOSS', 1);
}

export async function assertIntact(conn: SqlConnection): Promise<void> {
  const problem = await integrityProblem(conn);
  if (problem !== null) throw corruptDatabaseError(conn, problem);
}

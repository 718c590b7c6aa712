/**
 * The two ends of `mlf db import`: the source (an `mlruns` folder or a database at a revision with
 * MLflow's run columns) and the target (a SQL database). Everything else is refused in one line.
 */
import { MlfError } from '../lib/errors.js';
import { maskUri, parseStoreUri, pathToFileUri, type SqlStoreUri } from '../tracking/uri.js';
import { connectSql, type SqlConnection } from '../stores/sql/connect.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import { schemaStatus } from '../stores/sql/migrate/index.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { FileSource } from './file-source.js';
import type { ImportSource } from './model.js';
import { SqlSource, assertTrackingSchema } from './sql-source.js';

/** The oldest source revision read: runs.deleted_time and the experiments' times are there. */
const OLDEST_SOURCE_REVISION = '97727af70f4d';

export async function openTarget(to: string, cwd?: string): Promise<{ conn: SqlConnection }> {
  const parsed = parseStoreUri(to, cwd);
  if (parsed.kind !== 'sql') {
    throw new MlfError(`Target '${maskUri(to)}' is not a SQL database URI (sqlite:///file.db, postgresql://, mysql://, mssql://).`, 'INVALID_PARAMETER_VALUE');
  }
  return { conn: await connectSql(parsed) };
}

function sameDatabase(a: SqlStoreUri, b: SqlStoreUri): boolean {
  if (a.dialect !== b.dialect) return false;
  if (a.dialect === 'sqlite') return a.sqlitePath === b.sqlitePath && a.sqlitePath !== ':memory:';
  return a.host === b.host && (a.port ?? 0) === (b.port ?? 0) && a.database === b.database;
}

/** The source and the key the id map remembers it by. */
export async function openSource(
  from: string,
  opts: { skipBroken?: boolean; cwd?: string; target: SqlConnection },
): Promise<{ source: ImportSource; key: string }> {
  const parsed = parseStoreUri(from, opts.cwd);
  if (parsed.kind === 'file') {
    return { source: await FileSource.open(parsed.root, { skipBroken: opts.skipBroken }), key: pathToFileUri(parsed.root) };
  }
  if (parsed.kind !== 'sql') {
    throw new MlfError(`Source '${maskUri(from)}' is a tracking server; mlf db import reads an mlruns folder or a database.`, 'INVALID_PARAMETER_VALUE');
  }
  if (sameDatabase(parsed, opts.target.uri)) throw new MlfError('Source and target are the same database.', 'INVALID_PARAMETER_VALUE');
  const conn = await connectSql(parsed);
  try {
    const tables = await new Ddl(conn.db, conn.dialect).catalog.tables(conn.db);
    assertTrackingSchema(tables, maskUri(from));
    const { current } = await schemaStatus(conn);
    const at = MIGRATIONS.findIndex((m) => m.revision === current);
    if (at < MIGRATIONS.findIndex((m) => m.revision === OLDEST_SOURCE_REVISION)) {
      throw new MlfError(
        `Source database is at revision ${current ?? 'none'}, older than ${OLDEST_SOURCE_REVISION}: upgrade a copy of it with 'mlf db upgrade' and import the copy.`,
        'INVALID_PARAMETER_VALUE',
      );
    }
    return { source: new SqlSource(conn, tables), key: maskUri(from).slice(0, 255) };
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
}

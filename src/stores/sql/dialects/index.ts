/**
 * Loads a dialect's folder lazily, so a CLI call pays only for the driver it uses.
 *
 * @example
 * const dialect = await loadDialect('postgresql');
 * const db = await dialect.connect(uri, pool);
 */
import type { SqlDialectName } from '../../../tracking/uri.js';
import type { SqlDialect } from './dialect.js';

export async function loadDialect(name: SqlDialectName): Promise<SqlDialect> {
  switch (name) {
    case 'sqlite':
      return (await import('./sqlite/index.js')).sqliteDialect;
    case 'postgresql':
      return (await import('./postgres/index.js')).postgresDialect;
    case 'mysql':
      return (await import('./mysql/index.js')).mysqlDialect;
    case 'mssql':
      return (await import('./mssql/index.js')).mssqlDialect;
  }
}

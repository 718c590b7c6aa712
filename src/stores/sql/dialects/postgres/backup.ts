/** The command that dumps a PostgreSQL database before a one-way migration (mlf runs no server tools itself). */
import type { BackupTraits } from '../dialect.js';
import { backupStem, shellWord as sh } from '../common.js';

export const postgresBackup: BackupTraits = {
  command(uri, revision) {
    const pw = uri.password !== undefined ? '***' : undefined;
    return [
      pw ? `PGPASSWORD=${pw}` : '',
      'pg_dump',
      `-h ${sh(uri.host ?? 'localhost')}`,
      `-p ${uri.port ?? 5432}`,
      uri.user ? `-U ${sh(uri.user)}` : '',
      `-Fc -f ${sh(backupStem(uri.database, revision) + '.dump')}`,
      sh(uri.database ?? ''),
    ]
      .filter(Boolean)
      .join(' ');
  },
};

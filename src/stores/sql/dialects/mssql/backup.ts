/** The command that backs up a SQL Server database before a one-way migration (mlf runs no server tools itself). */
import type { BackupTraits } from '../dialect.js';
import { backupStem, shellWord as sh } from '../common.js';

export const mssqlBackup: BackupTraits = {
  command(uri, revision) {
    const db = uri.database ?? '';
    return [
      'sqlcmd',
      `-S ${sh(`${uri.host ?? 'localhost'},${uri.port ?? 1433}`)}`,
      uri.user ? `-U ${sh(uri.user)}` : '',
      uri.password !== undefined ? '-P ***' : '',
      `-Q ${sh(`BACKUP DATABASE [${db}] TO DISK = N'${backupStem(uri.database, revision)}.bak'`)}`,
    ]
      .filter(Boolean)
      .join(' ');
  },
};

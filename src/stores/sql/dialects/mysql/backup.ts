/** The command that dumps a MySQL/MariaDB database before a one-way migration (mlf runs no server tools itself). */
import type { BackupTraits } from '../dialect.js';
import { backupStem, shellWord as sh } from '../common.js';

export const mysqlBackup: BackupTraits = {
  command(uri, revision) {
    return [
      'mysqldump',
      `-h ${sh(uri.host ?? 'localhost')}`,
      `-P ${uri.port ?? 3306}`,
      uri.user ? `-u ${sh(uri.user)}` : '',
      uri.password !== undefined ? '-p***' : '',
      '--single-transaction --routines',
      sh(uri.database ?? ''),
      `> ${sh(backupStem(uri.database, revision) + '.sql')}`,
    ]
      .filter(Boolean)
      .join(' ');
  },
};

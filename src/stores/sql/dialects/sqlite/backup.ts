/**
 * Backups of a SQLite database before a one-way migration: mlf writes them itself through
 * better-sqlite3's online backup API (consistent even while others write).
 */
import path from 'node:path';
import type { BackupTraits } from '../dialect.js';
import { shellWord as sh } from '../common.js';
import { rawSqliteHandle } from './handles.js';
import { MlfError } from '../../../../lib/errors.js';

const isFile = (p: string | undefined): p is string => p !== undefined && p !== ':memory:';

export const sqliteBackup: BackupTraits = {
  command(uri, revision) {
    const file = uri.sqlitePath ?? '';
    return `sqlite3 ${sh(file)} ${sh(`.backup ${path.basename(uri.sqlitePath ?? 'mlflow.db')}.mlflow-backup-${revision ?? 'none'}`)}`;
  },
  canWrite: (uri) => isFile(uri.sqlitePath),
  async write(db, uri, revision) {
    const raw = rawSqliteHandle(db);
    const file = uri.sqlitePath;
    if (!raw || !isFile(file)) throw new MlfError('Only a SQLite database file can be backed up by mlf', 'INVALID_PARAMETER_VALUE');
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const dest = `${file}.backup-${revision ?? 'none'}-${stamp}`;
    await raw.backup(dest);
    return dest;
  },
};

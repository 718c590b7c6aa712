/**
 * 0a8213491aaa: drop a leftover CHECK named `status` on runs. MLflow runs it for MySQL, where MLflow
 * 1.5's cfd24bdc0731 left one behind; here it is a catalog-guarded no-op wherever no such CHECK exists.
 */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';
import { runs8 } from './0008-cfd24bdc0731-update-run-status-constraint-with-killed.js';

const migration: Migration = {
  revision: '0a8213491aaa',
  downRevision: 'cfd24bdc0731',
  slug: 'drop-duplicate-killed-constraint',
  async up({ ddl }) {
    await ddl.alterTable(runs8, [{ dropCheck: 'status' }]);
  },
};
export default migration;

/**
 * a5b4c3d2e1f0: index_metrics_run_uuid_key_step on metrics (run_uuid, key, step), for metric-history
 * reads. Followed: mlflow/mlflow @ 49957f004be2657b8b4789302af7e3ec3cfcfa92 (138e9eb975d4, a duplicate
 * draft of the same index revising 1b5f0d9ad7c1, was superseded).
 */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'a5b4c3d2e1f0',
  downRevision: 'c3d6457b6d8a',
  slug: 'add-metrics-run-key-step-index',
  async up({ ddl }) {
    await ddl.createIndex('metrics', { name: 'index_metrics_run_uuid_key_step', columns: ['run_uuid', 'key', 'step'] });
  },
};
export default migration;

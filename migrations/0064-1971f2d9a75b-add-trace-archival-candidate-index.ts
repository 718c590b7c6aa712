/**
 * 1971f2d9a75b: index_trace_info_timestamp_ms_request_id on trace_info (timestamp_ms, request_id).
 * Followed: mlflow/mlflow @ 08a54f83e9e12c347c576277d77bb8345e7f1cdc.
 */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '1971f2d9a75b',
  downRevision: '6f8d9c3b2a1e',
  slug: 'add-trace-archival-candidate-index',
  async up({ ddl }) {
    await ddl.createIndex('trace_info', { name: 'index_trace_info_timestamp_ms_request_id', columns: ['timestamp_ms', 'request_id'] });
  },
};
export default migration;

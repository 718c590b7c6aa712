/** 5b0e9adcef9c: the trace_tags / trace_request_metadata FKs get ON DELETE CASCADE. */
import type { Migration } from '../src/stores/sql/migrate/ddl.js';
import { traceChild } from './0024-867495a8f9d4-add-trace-tables.js';

const migration: Migration = {
  revision: '5b0e9adcef9c',
  downRevision: '867495a8f9d4',
  slug: 'add-cascade-deletion-to-trace-tables-fk',
  async up({ ddl }) {
    await ddl.alterTable(traceChild('trace_tags', 'trace_tag_pk', true), [{ foreignKey: ['request_id'] }]);
    await ddl.alterTable(traceChild('trace_request_metadata', 'trace_request_metadata_pk', true), [{ foreignKey: ['request_id'] }]);
  },
};
export default migration;

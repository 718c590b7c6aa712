/**
 * cbc13b556ace: trace_info gains client_request_id, request_preview and response_preview (plain
 * ADD COLUMN everywhere, SQLite included). Followed: mlflow/mlflow @ 3a9a28721f008928452361b2914510cffe05ece4
 * (revising bda7b8c39065; an older draft revised 6953534de441, the chain's order is the later one's).
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'cbc13b556ace',
  downRevision: 'bda7b8c39065',
  slug: 'add-v3-trace-schema-columns',
  async up({ ddl }) {
    await ddl.addColumn('trace_info', col('client_request_id', T.varchar(50)));
    await ddl.addColumn('trace_info', col('request_preview', T.varchar(1000)));
    await ddl.addColumn('trace_info', col('response_preview', T.varchar(1000)));
  },
};
export default migration;

/** MLflow 2.x traces on the SQL schema; the SQL store offers them as its `traces` capability. */
export { SqlTraceStore } from './sql-trace-store.js';

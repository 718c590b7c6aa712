/**
 * Tables `mlf db import` copies row by row from a database source, in an order where parents come
 * before children. Each is copied only when the source has it, so MLflow 3's tables (logged models,
 * assessments, ...) are one more entry here once the migration chain knows them.
 *
 * `experimentColumn` names a column holding an experiment id: it follows the id map.
 * `key` is the primary key: a row whose key is already in the target is left alone.
 */
export interface CopiedTable {
  table: string;
  key: string[];
  experimentColumn?: string;
}

export const COPIED_TABLES: CopiedTable[] = [
  // Model Registry (a file store has none).
  { table: 'registered_models', key: ['name'] },
  { table: 'registered_model_tags', key: ['key', 'name'] },
  { table: 'model_versions', key: ['name', 'version'] },
  { table: 'model_version_tags', key: ['key', 'name', 'version'] },
  { table: 'registered_model_aliases', key: ['name', 'alias'] },
  // Traces (MLflow 2.14+).
  { table: 'trace_info', key: ['request_id'], experimentColumn: 'experiment_id' },
  { table: 'trace_tags', key: ['key', 'request_id'] },
  { table: 'trace_request_metadata', key: ['key', 'request_id'] },
];

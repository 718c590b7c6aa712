/**
 * Tables `mlf db import` copies row by row from a database source, in an order where every foreign
 * key finds its parent already copied (experiments and runs are written before any of these). Each
 * is copied only when the source has it, so tables of revisions the source predates cost nothing.
 *
 * A row whose primary key (read from the target's catalog, so registry keys that gain `workspace`
 * follow) is already in the target is left alone: a repeated import adds nothing. Model Registry
 * rows instead take the source's changes, as runs do (see `updateExcept`).
 */
export interface CopiedTable {
  table: string;
  /** A column holding an experiment id: it follows the id map, and verification counts per experiment. */
  experimentColumn?: string;
  /**
   * (type column, id column) pairs whose id is an experiment id where the type is `experiment`
   * (entity_associations keeps ids of several kinds as text).
   */
  experimentEnds?: [string, string][];
  /** A column holding a run id: verification counts per run. */
  runColumn?: string;
  /** Only these rows are this entry's; the rest of the table is written elsewhere. */
  only?: { column: string; values: string[] };
  /**
   * Rows the migration creating the table writes itself (the `default` workspace): every database at
   * that revision has them, so they are not counted as the source's (a target revision without the
   * table loses nothing by their absence).
   */
  builtIn?: { column: string; values: string[] };
  /** Stored generated columns: the target computes them, an INSERT may not name them. */
  generated?: string[];
  /**
   * Set: a row whose key the target holds takes the source's values (a description, stage, tag value
   * or alias changed since the last import), as a run does, in every column but the key and these,
   * which say whether it is the same entity at all (a model deleted and made again under its name
   * has another creation time): registry-conflicts.ts refuses those before anything is written.
   */
  updateExcept?: string[];
}

/** MLflow's entity type name for an experiment in entity_associations. */
export const EXPERIMENT_ENTITY = 'experiment';

const EXP = 'experiment_id';

export const COPIED_TABLES: CopiedTable[] = [
  // Workspaces (1b5f0d9ad7c1) come first: later rows name them.
  { table: 'workspaces', builtIn: { column: 'name', values: ['default'] } },
  // Model Registry (a file store has none).
  { table: 'registered_models', updateExcept: ['creation_time'] },
  { table: 'registered_model_tags', updateExcept: [] },
  { table: 'model_versions', updateExcept: ['creation_time'] },
  { table: 'model_version_tags', updateExcept: [] },
  { table: 'registered_model_aliases', updateExcept: [] },
  // Logged models (MLflow 3.0); their metrics name runs, which are in by now.
  { table: 'logged_models', experimentColumn: EXP, runColumn: 'source_run_id' },
  { table: 'logged_model_params', experimentColumn: EXP },
  { table: 'logged_model_tags', experimentColumn: EXP },
  { table: 'logged_model_metrics', experimentColumn: EXP },
  // Runs' links to logged models (log_inputs / log_outputs); dataset inputs come with their runs.
  { table: 'inputs', only: { column: 'source_type', values: ['RUN_INPUT', 'RUN_OUTPUT'] }, runColumn: 'source_id' },
  // Traces (MLflow 2.14+) and what hangs off them.
  { table: 'trace_info', experimentColumn: EXP },
  { table: 'trace_tags' },
  { table: 'trace_request_metadata' },
  { table: 'trace_metrics' },
  { table: 'assessments' },
  { table: 'spans', experimentColumn: EXP, generated: ['duration_ns'] },
  { table: 'span_metrics' },
  {
    table: 'entity_associations',
    experimentEnds: [
      ['source_type', 'source_id'],
      ['destination_type', 'destination_id'],
    ],
  },
  // Evaluation.
  { table: 'evaluation_datasets' },
  { table: 'evaluation_dataset_tags' },
  { table: 'evaluation_dataset_records' },
  { table: 'scorers', experimentColumn: EXP },
  { table: 'scorer_versions' },
  { table: 'online_scoring_configs', experimentColumn: EXP },
  { table: 'label_schemas', experimentColumn: EXP },
  { table: 'review_queues', experimentColumn: EXP },
  { table: 'review_queue_users' },
  { table: 'review_queue_items' },
  { table: 'review_queue_label_schemas' },
  { table: 'issues', experimentColumn: EXP },
  // Webhooks and jobs.
  { table: 'webhooks' },
  { table: 'webhook_events' },
  { table: 'jobs' },
  // AI gateway: secrets before model definitions, endpoints before what binds to them.
  { table: 'secrets' },
  { table: 'endpoints', experimentColumn: EXP },
  { table: 'model_definitions' },
  { table: 'endpoint_model_mappings' },
  { table: 'endpoint_bindings' },
  { table: 'endpoint_tags' },
  { table: 'budget_policies' },
  { table: 'guardrails' },
  { table: 'guardrail_configs' },
  // MCP server registry: servers, then versions, then what names a version.
  { table: 'mcp_servers' },
  { table: 'mcp_server_versions' },
  { table: 'mcp_server_tags' },
  { table: 'mcp_server_version_tags' },
  { table: 'mcp_server_aliases' },
  { table: 'mcp_access_endpoints' },
];

export function copiedTable(table: string): CopiedTable {
  const t = COPIED_TABLES.find((x) => x.table === table);
  if (!t) throw new Error(`not a copied table: ${table}`);
  return t;
}

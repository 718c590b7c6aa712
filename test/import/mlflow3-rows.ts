/**
 * Rows in every MLflow 3 table mlf's head has (logged models, traces with spans and assessments,
 * evaluation, webhooks, jobs, gateway), every column set, for the import tests. `n` makes a second
 * set of distinct rows (an incremental import); every experiment id column names `experimentId`.
 */
import type { Db } from '../../src/stores/sql/dialects/dialect.js';

/** Tables filled by {@link fillMlflow3} with how many rows each call adds. */
export const MLFLOW3_TABLES: Record<string, number> = {
  logged_models: 1,
  logged_model_params: 1,
  logged_model_tags: 1,
  logged_model_metrics: 1,
  inputs: 2,
  trace_info: 1,
  trace_tags: 1,
  trace_request_metadata: 1,
  trace_metrics: 1,
  assessments: 1,
  spans: 2,
  span_metrics: 1,
  entity_associations: 2,
  evaluation_datasets: 1,
  evaluation_dataset_tags: 1,
  evaluation_dataset_records: 1,
  scorers: 1,
  scorer_versions: 1,
  online_scoring_configs: 1,
  webhooks: 1,
  webhook_events: 1,
  jobs: 1,
  secrets: 1,
  endpoints: 1,
  model_definitions: 1,
  endpoint_model_mappings: 1,
  endpoint_bindings: 1,
  endpoint_tags: 1,
};

export async function fillMlflow3(db: Db, experimentId: number, runId: string, n: number): Promise<void> {
  const t = 1700000000000 + n * 1000;
  const m = `m-${n}-0000-0000-0000-000000000000`;
  const tr = `tr-${n}`;
  const ins = (table: string, row: Record<string, unknown>) => db.insertInto(table).values(row).execute();
  await ins('logged_models', {
    model_id: m,
    experiment_id: experimentId,
    name: `model-${n}`,
    artifact_location: `mlflow-artifacts:/${experimentId}/models/${m}/artifacts`,
    creation_timestamp_ms: t,
    last_updated_timestamp_ms: t + 5,
    status: 2,
    lifecycle_stage: 'active',
    model_type: 'agent',
    source_run_id: runId,
    status_message: 'ready',
  });
  await ins('logged_model_params', { model_id: m, experiment_id: experimentId, param_key: 'lr', param_value: `0.0${n}` });
  await ins('logged_model_tags', { model_id: m, experiment_id: experimentId, tag_key: 'team', tag_value: 'ml' });
  await ins('logged_model_metrics', {
    model_id: m,
    metric_name: 'acc',
    metric_timestamp_ms: t,
    metric_step: 3,
    metric_value: 0.75,
    experiment_id: experimentId,
    run_id: runId,
    dataset_uuid: 'ds-uuid',
    dataset_name: 'eval',
    dataset_digest: 'abc123',
  });
  await ins('inputs', { input_uuid: `in-${n}`, source_type: 'RUN_INPUT', source_id: runId, destination_type: 'MODEL_INPUT', destination_id: m, step: 0 });
  await ins('inputs', { input_uuid: `out-${n}`, source_type: 'RUN_OUTPUT', source_id: runId, destination_type: 'MODEL_OUTPUT', destination_id: m, step: 7 });
  await ins('trace_info', {
    request_id: tr,
    experiment_id: experimentId,
    timestamp_ms: t,
    execution_time_ms: 42,
    status: 'OK',
    client_request_id: `client-${n}`,
    request_preview: '{"q": "hi"}',
    response_preview: '{"a": "hello"}',
  });
  await ins('trace_tags', { key: 'mlflow.traceName', value: 'predict', request_id: tr });
  await ins('trace_request_metadata', { key: 'mlflow.sourceRun', value: runId, request_id: tr });
  await ins('trace_metrics', { request_id: tr, key: 'tokens', value: 128 });
  await ins('assessments', {
    assessment_id: `a-${n}`,
    trace_id: tr,
    name: 'correct',
    assessment_type: 'feedback',
    value: 'true',
    error: 'none',
    created_timestamp: t,
    last_updated_timestamp: t + 1,
    source_type: 'HUMAN',
    source_id: 'alice',
    run_id: runId,
    span_id: 'sp-root',
    rationale: 'looks right',
    overrides: 'a-0',
    valid: 1,
    assessment_metadata: '{"k": "v"}',
  });
  for (const [span, parent] of [
    ['sp-root', null],
    ['sp-child', 'sp-root'],
  ] as const) {
    await ins('spans', {
      trace_id: tr,
      experiment_id: experimentId,
      span_id: span,
      parent_span_id: parent,
      name: span,
      type: 'LLM',
      status: 'OK',
      start_time_unix_nano: 1000 * n,
      end_time_unix_nano: 1000 * n + 250,
      content: `{"span": "${span}"}`,
      dimension_attributes: '{"model": "gpt"}',
    });
  }
  await ins('span_metrics', { trace_id: tr, span_id: 'sp-child', key: 'latency', value: 0.25 });
  await ins('entity_associations', {
    association_id: `ea-${n}`,
    source_type: 'evaluation_dataset',
    source_id: `eds-${n}`,
    destination_type: 'experiment',
    destination_id: String(experimentId),
    created_time: t,
  });
  await ins('entity_associations', { association_id: `eb-${n}`, source_type: 'run', source_id: runId, destination_type: 'model', destination_id: m, created_time: t });
  await ins('evaluation_datasets', {
    dataset_id: `eds-${n}`,
    name: `eval-${n}`,
    schema: '{"inputs": "str"}',
    profile: '{"rows": 1}',
    digest: 'd1',
    created_time: t,
    last_update_time: t,
    created_by: 'alice',
    last_updated_by: 'bob',
  });
  await ins('evaluation_dataset_tags', { dataset_id: `eds-${n}`, key: 'purpose', value: 'qa' });
  await ins('evaluation_dataset_records', {
    dataset_record_id: `rec-${n}`,
    dataset_id: `eds-${n}`,
    inputs: '{"q": "what"}',
    expectations: '{"a": "that"}',
    tags: '{"t": "1"}',
    source: '{"type": "HUMAN"}',
    source_id: 'src',
    source_type: 'HUMAN',
    created_time: t,
    last_update_time: t,
    created_by: 'alice',
    last_updated_by: 'bob',
    input_hash: `h${n}`,
    outputs: '{"o": 1}',
  });
  await ins('scorers', { experiment_id: experimentId, scorer_name: `scorer-${n}`, scorer_id: `sc-${n}` });
  await ins('scorer_versions', { scorer_id: `sc-${n}`, scorer_version: 1, serialized_scorer: '{"builtin": "safety"}', creation_time: t });
  await ins('online_scoring_configs', { online_scoring_config_id: `osc-${n}`, scorer_id: `sc-${n}`, sample_rate: 0.5, experiment_id: experimentId, filter_string: "tags.env = 'prod'" });
  await ins('webhooks', {
    webhook_id: `wh-${n}`,
    name: `hook-${n}`,
    description: 'notify',
    url: 'https://example.com/hook',
    status: 'ACTIVE',
    secret: 'shh',
    creation_timestamp: t,
    last_updated_timestamp: t,
    deleted_timestamp: t + 9,
  });
  await ins('webhook_events', { webhook_id: `wh-${n}`, entity: 'model_version', action: 'created' });
  await ins('jobs', {
    id: `job-${n}`,
    creation_time: t,
    job_name: 'optimize',
    params: '{"x": 1}',
    timeout: 30.5,
    status: 1,
    result: 'ok',
    retry_count: 2,
    last_update_time: t,
  });
  await ins('secrets', {
    secret_id: `sec-${n}`,
    secret_name: `key-${n}`,
    encrypted_value: Buffer.from([0, 1, 2, 250, n]),
    wrapped_dek: Buffer.from([9, 8, 7, n]),
    kek_version: 1,
    masked_value: 'sk-...abcd',
    provider: 'openai',
    auth_config: '{"mode": "key"}',
    description: 'the key',
    created_by: 'alice',
    created_at: t,
    last_updated_by: 'bob',
    last_updated_at: t,
  });
  await ins('endpoints', {
    endpoint_id: `ep-${n}`,
    name: `endpoint-${n}`,
    created_by: 'alice',
    created_at: t,
    last_updated_by: 'bob',
    last_updated_at: t,
    routing_strategy: 'FALLBACK',
    fallback_config_json: '{"max": 2}',
    experiment_id: experimentId,
    usage_tracking: 1,
  });
  await ins('model_definitions', {
    model_definition_id: `md-${n}`,
    name: `def-${n}`,
    secret_id: `sec-${n}`,
    provider: 'openai',
    model_name: 'gpt-4o',
    created_by: 'alice',
    created_at: t,
    last_updated_by: 'bob',
    last_updated_at: t,
  });
  await ins('endpoint_model_mappings', {
    mapping_id: `map-${n}`,
    endpoint_id: `ep-${n}`,
    model_definition_id: `md-${n}`,
    weight: 0.5,
    created_by: 'alice',
    created_at: t,
    linkage_type: 'FALLBACK',
    fallback_order: 1,
  });
  await ins('endpoint_bindings', {
    endpoint_id: `ep-${n}`,
    resource_type: 'scorer',
    resource_id: `sc-${n}`,
    created_at: t,
    created_by: 'alice',
    last_updated_at: t,
    last_updated_by: 'bob',
    display_name: 'judge',
  });
  await ins('endpoint_tags', { key: 'env', value: 'prod', endpoint_id: `ep-${n}` });
}

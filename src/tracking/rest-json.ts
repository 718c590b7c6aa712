/**
 * MLflow's REST JSON shapes (protobuf `message_to_json`): snake_case field names in proto field
 * order, int64 as JSON numbers, enums as names, NaN/±Infinity as the strings "NaN", "Infinity" and
 * "-Infinity", unset fields and empty lists left out. Shared by the server, the CLI's `--json`
 * output and the HTTP client store, so all three speak exactly MLflow's language.
 *
 * @example
 * runToJson(run) // { info: { run_uuid, experiment_id, run_name, ... }, data: { metrics: [...] }, inputs: {} }
 */
import { MlfError } from '../lib/errors.js';
import { JSON_PIECE_CHARS } from '../lib/json-piece-size.js';
import type {
  Dataset,
  DatasetInput,
  Experiment,
  KeyValue,
  Metric,
  MetricWithRunId,
  Run,
  RunInfo,
  Json,
} from './entities.js';

/** A double as protobuf JSON writes it. */
export function floatToJson(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** A double from JSON: a number, or one of the strings protobuf accepts. */
export function floatFromJson(v: unknown, field = 'value'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity' || v === 'inf') return Infinity;
    if (v === '-Infinity' || v === '-inf') return -Infinity;
    if (v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  }
  throw new MlfError(
    `Invalid value ${JSON.stringify(v)} for parameter '${field}' supplied: Please specify value as a valid double (64-bit floating point)`,
    'INVALID_PARAMETER_VALUE',
  );
}

function put(out: Json, key: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v) && v.length === 0) return;
  out[key] = v;
}

export function keyValueToJson(kv: KeyValue): Json {
  return { key: kv.key, value: kv.value };
}

export function experimentToJson(e: Experiment): Json {
  const out: Json = {};
  put(out, 'experiment_id', e.experimentId);
  put(out, 'name', e.name);
  put(out, 'artifact_location', e.artifactLocation);
  put(out, 'lifecycle_stage', e.lifecycleStage);
  put(out, 'last_update_time', e.lastUpdateTime);
  put(out, 'creation_time', e.creationTime);
  put(out, 'tags', e.tags.map(keyValueToJson));
  return out;
}

export function runInfoToJson(i: RunInfo): Json {
  const out: Json = {};
  put(out, 'run_uuid', i.runId);
  put(out, 'experiment_id', i.experimentId);
  put(out, 'run_name', i.runName);
  put(out, 'user_id', i.userId);
  put(out, 'status', i.status);
  put(out, 'start_time', i.startTime);
  put(out, 'end_time', i.endTime);
  put(out, 'artifact_uri', i.artifactUri);
  put(out, 'lifecycle_stage', i.lifecycleStage);
  put(out, 'run_id', i.runId);
  return out;
}

export function metricToJson(m: Metric): Json {
  const out: Json = { key: m.key, value: floatToJson(m.value), timestamp: m.timestamp, step: m.step };
  if (m.datasetName) out.dataset_name = m.datasetName;
  if (m.datasetDigest) out.dataset_digest = m.datasetDigest;
  if (m.modelId) out.model_id = m.modelId;
  return out;
}

/**
 * One key's points as the items of MLflow's `metrics` list (comma-joined, in pieces of about
 * 16 kB), written from the text a database printed them in: `value,timestamp,step,is_nan` per
 * point, `;` between points, numbers exact, booleans `t`/`f` (SqlDialect.packRows.numbers). The
 * same values as `points.map(metricToJson)`, each number in the database's spelling; no double is
 * parsed and printed again. A point that is not plain in print (NaN, a value at the float's
 * maximum, which MLflow's SQL store keeps for ±Infinity, a missing field) goes through `decode`
 * and metricToJson, where those rules live.
 */
export function metricPointsJson(key: string, text: string, decode: (point: string) => Metric): string[] {
  const pieces: string[] = [];
  const head = `{"key":${JSON.stringify(key)},"value":`;
  let piece = '';
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(';', start);
    if (end < 0) end = text.length;
    const c1 = text.indexOf(',', start);
    const c2 = text.indexOf(',', c1 + 1);
    const c3 = text.indexOf(',', c2 + 1);
    const item =
      c3 > 0 && c3 < end && c3 + 2 === end && text.charCodeAt(c3 + 1) === 102 /* f */ && plainNumber(text, start, c1) && c2 > c1 + 1 && c3 > c2 + 1
        ? `${head}${text.slice(start, c1)},"timestamp":${text.slice(c1 + 1, c2)},"step":${text.slice(c2 + 1, c3)}}`
        : JSON.stringify(metricToJson(decode(text.slice(start, end))));
    piece += piece === '' && pieces.length === 0 ? item : `,${item}`;
    if (piece.length >= JSON_PIECE_CHARS) {
      pieces.push(piece);
      piece = '';
    }
    start = end + 1;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * A finite number's text that JSON reads as it is: away from the float's maximum (`e+308`), and
 * not `-0`, which JSON.stringify (the other path) writes as 0.
 */
function plainNumber(text: string, from: number, to: number): boolean {
  const negative = text.charCodeAt(from) === 45; /* - */
  const first = text.charCodeAt(negative ? from + 1 : from);
  if (first < 48 || first > 57 || (negative && to === from + 2 && first === 48)) return false;
  return !(text.charCodeAt(to - 1) === 56 && text.startsWith('e+308', to - 5));
}

export function metricWithRunIdToJson(m: MetricWithRunId): Json {
  return { ...metricToJson(m), run_id: m.runId };
}

export function datasetToJson(d: Dataset): Json {
  const out: Json = {};
  put(out, 'name', d.name);
  put(out, 'digest', d.digest);
  put(out, 'source_type', d.sourceType);
  put(out, 'source', d.source);
  put(out, 'schema', d.schema);
  put(out, 'profile', d.profile);
  return out;
}

export function datasetInputToJson(di: DatasetInput): Json {
  const out: Json = {};
  put(out, 'tags', di.tags.map(keyValueToJson));
  out.dataset = datasetToJson(di.dataset);
  return out;
}

export function runToJson(r: Run): Json {
  const data: Json = {};
  put(data, 'metrics', r.data.metrics.map(metricToJson));
  put(data, 'params', r.data.params.map(keyValueToJson));
  put(data, 'tags', r.data.tags.map(keyValueToJson));
  const inputs: Json = {};
  put(inputs, 'dataset_inputs', r.inputs.datasetInputs.map(datasetInputToJson));
  put(inputs, 'model_inputs', r.inputs.modelInputs?.map((m) => ({ model_id: m.modelId })));
  const out: Json = { info: runInfoToJson(r.info), data, inputs };
  if (r.outputs?.modelOutputs.length) out.outputs = { model_outputs: r.outputs.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step })) };
  return out;
}

// ---- JSON → entities (REST client store, server request bodies) ----

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}
function num(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
}
function kvs(v: unknown): KeyValue[] {
  return Array.isArray(v) ? v.map((t: Json) => ({ key: String(t.key), value: t.value === undefined || t.value === null ? '' : String(t.value) })) : [];
}

export function experimentFromJson(j: Json): Experiment {
  return {
    experimentId: String(j.experiment_id),
    name: String(j.name ?? ''),
    artifactLocation: String(j.artifact_location ?? ''),
    lifecycleStage: (j.lifecycle_stage as Experiment['lifecycleStage']) ?? 'active',
    creationTime: num(j.creation_time),
    lastUpdateTime: num(j.last_update_time),
    tags: kvs(j.tags),
  };
}

export function runInfoFromJson(j: Json): RunInfo {
  return {
    runId: String(j.run_id ?? j.run_uuid),
    runName: String(j.run_name ?? ''),
    experimentId: String(j.experiment_id),
    userId: String(j.user_id ?? ''),
    status: (j.status as RunInfo['status']) ?? 'RUNNING',
    startTime: num(j.start_time),
    endTime: num(j.end_time),
    artifactUri: String(j.artifact_uri ?? ''),
    lifecycleStage: (j.lifecycle_stage as RunInfo['lifecycleStage']) ?? 'active',
    deletedTime: null,
  };
}

export function metricFromJson(j: Json): Metric {
  const m: Metric = { key: String(j.key), value: floatFromJson(j.value), timestamp: Number(j.timestamp ?? 0), step: Number(j.step ?? 0) };
  return withModelFields(m, j);
}

/** The MLflow 3 fields of a metric (`model_id`, `dataset_name`, `dataset_digest`); empty ones are unset, as MLflow reads them. */
export function withModelFields<T extends Metric>(m: T, j: Json): T {
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const modelId = s(j.model_id);
  const datasetName = s(j.dataset_name);
  const datasetDigest = s(j.dataset_digest);
  if (modelId) m.modelId = modelId;
  if (datasetName) m.datasetName = datasetName;
  if (datasetDigest) m.datasetDigest = datasetDigest;
  return m;
}

export function datasetInputFromJson(j: Json): DatasetInput {
  const d = (j.dataset ?? {}) as Json;
  return {
    tags: kvs(j.tags),
    dataset: {
      name: str(d.name) as string,
      digest: str(d.digest) as string,
      sourceType: str(d.source_type) as string,
      source: str(d.source) as string,
      schema: str(d.schema) ?? null,
      profile: str(d.profile) ?? null,
    },
  };
}

export function runFromJson(j: Json): Run {
  const data = (j.data ?? {}) as Json;
  const inputs = (j.inputs ?? {}) as Json;
  const outputs = (j.outputs ?? {}) as Json;
  return {
    info: runInfoFromJson((j.info ?? {}) as Json),
    data: {
      metrics: Array.isArray(data.metrics) ? data.metrics.map((m: Json) => metricFromJson(m)) : [],
      params: kvs(data.params),
      tags: kvs(data.tags),
    },
    inputs: {
      datasetInputs: Array.isArray(inputs.dataset_inputs) ? inputs.dataset_inputs.map((d: Json) => datasetInputFromJson(d)) : [],
      ...(Array.isArray(inputs.model_inputs) && inputs.model_inputs.length
        ? { modelInputs: inputs.model_inputs.map((m: Json) => ({ modelId: String(m.model_id) })) }
        : {}),
    },
    ...(Array.isArray(outputs.model_outputs) && outputs.model_outputs.length
      ? { outputs: { modelOutputs: outputs.model_outputs.map((m: Json) => ({ modelId: String(m.model_id), step: Number(m.step ?? 0) })) } }
      : {}),
  };
}

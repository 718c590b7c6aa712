/**
 * MLflow's input validation (`mlflow/utils/validation.py`), shared by every store, the server and
 * the CLI. Every function throws `MlfError` with `INVALID_PARAMETER_VALUE` and MLflow's exact
 * message, because MLflow clients and users match on those messages.
 *
 * @example
 * const batch = validateLogBatch(runId, { metrics: [{ key: 'loss', value: NaN, timestamp: 1, step: 0 }] });
 * // batch.params / batch.tags are [] and long values are truncated (MLFLOW_TRUNCATE_LONG_VALUES)
 */
import { MlfError } from '../lib/errors.js';
import {
  RUN_STATUSES,
  isRunStatus,
  type DatasetInput,
  type ExperimentTag,
  type LogBatch,
  type Metric,
  type Param,
  type RunStatus,
  type RunTag,
} from './entities.js';
import { pyFloatRepr, pyJsonDumps, pyRepr, pyStr, pyStrRepr } from './py-format.js';

// ---- limits (mlflow/utils/validation.py, mlflow/store/tracking/__init__.py) ----
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_DATASETS_PER_BATCH = 1000;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 5000;
/** MLflow 3's limit, once experiment_tags.value is TEXT (revision 17e22815139b). */
export const MAX_EXPERIMENT_TAG_VAL_LENGTH_MLFLOW3 = 20_000;
export const MAX_DATASET_NAME_SIZE = 500;
export const MAX_DATASET_DIGEST_SIZE = 36;
export const MAX_DATASET_SCHEMA_SIZE = 1_048_575;
export const MAX_DATASET_SOURCE_SIZE = 65_535;
export const MAX_DATASET_PROFILE_SIZE = 16_777_215;
export const MAX_INPUT_TAG_KEY_SIZE = 255;
export const MAX_INPUT_TAG_VALUE_SIZE = 500;
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;
export const GET_METRIC_HISTORY_MAX_RESULTS = 25_000;

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');

// ---- MLflow's message builders ----

/** `shown` overrides the printed value (callers that know a `9.0` was written as a float). */
export function invalidValueMessage(path: string, value: unknown, message?: string, shown = pyJsonDumps(value)): string {
  return message
    ? `Invalid value ${shown} for parameter '${path}' supplied: ${message}`
    : `Invalid value ${shown} for parameter '${path}' supplied.`;
}

export function missingValueMessage(path: string): string {
  return `Missing value for required parameter '${path}'.`;
}

export function exceedsMaximumLengthMessage(path: string, limit: number): string {
  return `'${path}' exceeds the maximum length of ${limit} characters`;
}

/** MLflow's `append_to_json_path`: `('', 'key') → 'key'`, `('tags[0]', 'key') → 'tags[0].key'`. */
export function appendToJsonPath(current: string | undefined, value: string): string {
  if (!current) return value;
  return value.startsWith('[') ? current + value : `${current}.${value}`;
}

/** Length in code points, as Python's `len(str)` counts (JS `.length` counts UTF-16 units). */
export function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** `s[:n]` in code points. */
function pySlice(s: string, n: number): string {
  if (s.length <= n) return s;
  let out = '';
  let count = 0;
  for (const ch of s) {
    if (count++ >= n) break;
    out += ch;
  }
  return out;
}

// ---- truncation switch ----

/**
 * `MLFLOW_TRUNCATE_LONG_VALUES` (default true): param and run-tag values longer than the limit are
 * cut to the limit with a warning, instead of being refused. Read on every call so tests and the
 * server see changes.
 */
export function truncateLongValues(): boolean {
  const raw = process.env.MLFLOW_TRUNCATE_LONG_VALUES;
  if (raw === undefined || raw === '') return true;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(
    `MLFLOW_TRUNCATE_LONG_VALUES value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${raw}`,
  );
}

export interface LengthOptions {
  /** Overrides `MLFLOW_TRUNCATE_LONG_VALUES`. */
  truncate?: boolean;
  /** Receives the truncation warning; default writes it to stderr. */
  onWarning?: (message: string) => void;
}

function warnStderr(message: string): void {
  process.stderr.write(`WARNING mlflow.utils.validation: ${message}\n`);
}

/** MLflow's `_validate_length_limit`: returns the value, truncated when allowed. */
function checkLength(label: string, limit: number, value: string, canTruncate: boolean, opts?: LengthOptions): string {
  if (value.length <= limit) return value; // UTF-16 length >= code points: fast path
  const len = pyLen(value);
  if (len <= limit) return value;
  if (canTruncate && (opts?.truncate ?? truncateLongValues())) {
    (opts?.onWarning ?? warnStderr)(
      `${label} '${pySlice(value, 100)}...' (${len} characters) is truncated to ${limit} characters to meet the length limit.`,
    );
    return pySlice(value, limit);
  }
  throw invalid(exceedsMaximumLengthMessage(label, limit));
}

// ---- ids, names, statuses ----

// Python's `\w` on str is Unicode-aware: letters and numbers of any script plus `_`.
const RUN_ID_RE = /^[a-zA-Z0-9][\p{L}\p{N}_-]{0,255}$/u;
const EXPERIMENT_ID_RE = /^[a-zA-Z0-9][\p{L}\p{N}_-]{0,63}$/u;
const KEY_CHARS_RE = /^[/\p{L}\p{N}_.\- :]*$/u;
const KEY_CHARS_RE_WINDOWS = /^[/\p{L}\p{N}_.\- ]*$/u;

/** `_validate_run_id`: `Invalid value "<id>" for parameter 'run_id' supplied.` */
export function validateRunId(runId: unknown, path = 'run_id'): string {
  if (typeof runId !== 'string' || !RUN_ID_RE.test(runId)) throw invalid(invalidValueMessage(path, runId));
  return runId;
}

/** `_validate_experiment_id` (MLflow's file-store rule); integral numbers are accepted as their text. */
export function validateExperimentId(id: unknown): string {
  const s = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id;
  if (typeof s !== 'string' || !EXPERIMENT_ID_RE.test(s)) throw invalid(`Invalid experiment ID: '${pyStr(id)}'`);
  return s;
}

/** `_validate_experiment_name`. */
export function validateExperimentName(name: unknown): string {
  if (name === '' || name === null || name === undefined) throw invalid(`Invalid experiment name: '${pyStr(name)}'`);
  if (typeof name !== 'string') throw invalid(`Invalid experiment name: ${pyStr(name)}. Expects a string.`);
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH && pyLen(name) > MAX_EXPERIMENT_NAME_LENGTH) {
    throw invalid(exceedsMaximumLengthMessage('name', MAX_EXPERIMENT_NAME_LENGTH));
  }
  return name;
}

/** `RunStatus.from_string`. */
export function validateRunStatus(s: unknown): RunStatus {
  if (isRunStatus(s)) return s;
  throw invalid(
    `Could not get run status corresponding to string ${pyStr(s)}. Valid run status strings: ${pyRepr(RUN_STATUSES)}`,
  );
}

/** Python's `posixpath.normpath`. */
export function posixNormpath(p: string): string {
  if (p === '') return '.';
  let initialSlashes = p.startsWith('/') ? 1 : 0;
  if (initialSlashes && p.startsWith('//') && !p.startsWith('///')) initialSlashes = 2;
  const out: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!initialSlashes && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(initialSlashes) + out.join('/');
  return joined || '.';
}

/** MLflow's `path_not_unique`: the name would not survive being used as a relative file path. */
export function pathNotUnique(name: string): boolean {
  const norm = posixNormpath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

function badCharacterMessage(): string {
  return process.platform === 'win32'
    ? 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/).'
    : 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';
}

const KEY_LENGTH_LABEL = { metric: 'Metric name', param: 'Param key' } as const;

/**
 * A metric, param or tag key: present, MLflow's characters (`\w` is Unicode; the colon is refused
 * on Windows, as MLflow does), path-safe, at most 250 characters.
 * `path` is the JSON path used in messages (default `name` for metrics, `key` otherwise).
 */
export function validateKeyName(key: unknown, what: 'metric' | 'param' | 'tag', path?: string): string {
  const p = path ?? (what === 'metric' ? 'name' : 'key');
  if (key === null || key === undefined) {
    if (what === 'metric') {
      throw invalid(invalidValueMessage(p, null, 'Metric name cannot be None. A key name must be provided.'));
    }
    if (what === 'param') throw invalid(invalidValueMessage(p, '', 'A key name must be provided.'));
    throw invalid(missingValueMessage(p));
  }
  if (typeof key !== 'string') throw invalid(invalidValueMessage(p, key));
  const charsOk = (process.platform === 'win32' ? KEY_CHARS_RE_WINDOWS : KEY_CHARS_RE).test(key);
  if (!charsOk) throw invalid(invalidValueMessage(p, key, badCharacterMessage()));
  if (pathNotUnique(key)) {
    throw invalid(
      invalidValueMessage(
        p,
        key,
        `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to ${pyStrRepr(posixNormpath(key))}`,
      ),
    );
  }
  // MLflow labels the key limit "Metric name"/"Param key" but, for run tags, by the JSON path.
  const label = what === 'tag' ? p : KEY_LENGTH_LABEL[what];
  return checkLength(label, MAX_ENTITY_KEY_LENGTH, key, false);
}

const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63; // first double beyond int64

function isInt64(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= INT64_MIN && x < INT64_LIMIT;
}

function asRecord(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(invalidValueMessage(path || 'value', v ?? null));
  return v as Record<string, unknown>;
}

/**
 * `_validate_metric`: the key, a number value (NaN and ±Infinity allowed, booleans refused), a
 * non-negative integer timestamp and an integer step (a missing step is 0, the proto default).
 * `path` prefixes field names in messages, e.g. `metrics[3]`.
 */
export function validateMetric(m: unknown, path = ''): Metric {
  const rec = asRecord(m, path);
  const key = validateKeyName(rec.key, 'metric', appendToJsonPath(path, 'name'));
  const { value, timestamp } = rec;
  const step = rec.step === undefined || rec.step === null ? 0 : rec.step;
  if (value === null || value === undefined) throw invalid(missingValueMessage(appendToJsonPath(path, 'value')));
  if (typeof value !== 'number') {
    throw invalid(
      invalidValueMessage(
        appendToJsonPath(path, 'value'),
        value,
        `(timestamp=${pyStr(timestamp)}). Please specify value as a valid double (64-bit floating point)`,
      ),
    );
  }
  // MLflow only asks for a number; mlf also asks for an integer, since the proto field and the
  // BIGINT columns are int64 and a fraction would be silently dropped by one store and not another.
  if (!isInt64(timestamp) || timestamp < 0) {
    throw invalid(
      invalidValueMessage(
        appendToJsonPath(path, 'timestamp'),
        timestamp ?? null,
        `metric '${key}' (value=${pyFloatRepr(value)}). Timestamp must be a nonnegative long (64-bit integer) `,
      ),
    );
  }
  if (!isInt64(step)) {
    throw invalid(
      invalidValueMessage(
        appendToJsonPath(path, 'step'),
        step,
        `metric '${key}' (value=${pyFloatRepr(value)}). Step must be a valid long (64-bit integer).`,
      ),
    );
  }
  const out: Metric = { key, value, timestamp, step };
  // MLflow 3's model fields ride along unchanged (checked where they are written).
  for (const f of ['modelId', 'datasetName', 'datasetDigest'] as const) if (typeof rec[f] === 'string' && rec[f] !== '') out[f] = rec[f] as string;
  return out;
}

function stringValue(v: unknown, path: string): string {
  if (v === null || v === undefined) throw invalid(missingValueMessage(path));
  if (typeof v !== 'string') throw invalid(invalidValueMessage(path, v));
  return v;
}

export interface EntityOptions extends LengthOptions {
  /** JSON path prefix for messages, e.g. `params[2]`. */
  path?: string;
}

/** `_validate_param`: returns the param with its value truncated to 6000 characters when allowed. */
export function validateParam(p: unknown, opts?: EntityOptions): Param {
  const path = opts?.path ?? '';
  const rec = asRecord(p, path);
  const key = validateKeyName(rec.key, 'param', appendToJsonPath(path, 'key'));
  const value = stringValue(rec.value, appendToJsonPath(path, 'value'));
  return { key, value: checkLength('Param value', MAX_PARAM_VAL_LENGTH, value, true, opts) };
}

/** `_validate_tag` (run tags): returns the tag with its value truncated to 8000 characters when allowed. */
export function validateTag(t: unknown, opts?: EntityOptions): RunTag {
  const path = opts?.path ?? '';
  const rec = asRecord(t, path);
  const key = validateKeyName(rec.key, 'tag', appendToJsonPath(path, 'key'));
  const valuePath = appendToJsonPath(path, 'value');
  const value = stringValue(rec.value, valuePath);
  return { key, value: checkLength(valuePath, MAX_TAG_VAL_LENGTH, value, true, opts) };
}

/**
 * `_validate_experiment_tag`: key rules, key ≤ 250, value ≤ 5000 (20,000 where the database's
 * schema holds it, see experimentTagValueLimit); never truncates.
 */
export function validateExperimentTag(t: unknown, maxValueLength = MAX_EXPERIMENT_TAG_VAL_LENGTH): ExperimentTag {
  const rec = asRecord(t, '');
  const key = validateKeyName(rec.key, 'tag', 'key');
  checkLength('key', MAX_EXPERIMENT_TAG_KEY_LENGTH, key, false);
  const value = stringValue(rec.value, 'value');
  checkLength('value', maxValueLength, value, false);
  return { key, value };
}

function batchLimit(entity: string, limit: number, length: number): void {
  if (length > limit) {
    throw invalid(
      `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. Please split up ${entity} across multiple requests and try again.`,
    );
  }
}

/** `_validate_batch_log_api_req`: the REST body size limit (bytes). */
export function validateBatchRequestSize(bytes: number): void {
  if (bytes > MAX_BATCH_LOG_REQUEST_SIZE) {
    throw invalid(
      `Batched logging API requests must be at most ${MAX_BATCH_LOG_REQUEST_SIZE} bytes, got a request of size ${bytes}.`,
    );
  }
}

function listOf(v: unknown, name: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(invalidValueMessage(name, v));
  return v;
}

/**
 * Everything MLflow's `log_batch` checks before it touches a store, in MLflow's order: the run id,
 * every metric/param/tag (long values truncated when allowed), the batch limits, then duplicate
 * param keys. Returns the normalized batch. Every store calls exactly this.
 */
export function validateLogBatch(runId: string, batch: LogBatch, opts?: LengthOptions): Required<LogBatch> {
  validateRunId(runId);
  const rawMetrics = listOf(batch?.metrics, 'metrics');
  const rawParams = listOf(batch?.params, 'params');
  const rawTags = listOf(batch?.tags, 'tags');
  const metrics = rawMetrics.map((m, i) => validateMetric(m, `metrics[${i}]`));
  const params = rawParams.map((p, i) => validateParam(p, { ...opts, path: `params[${i}]` }));
  const tags = rawTags.map((t, i) => validateTag(t, { ...opts, path: `tags[${i}]` }));
  batchLimit('metrics', MAX_METRICS_PER_BATCH, metrics.length);
  batchLimit('params', MAX_PARAMS_TAGS_PER_BATCH, params.length);
  batchLimit('tags', MAX_PARAMS_TAGS_PER_BATCH, tags.length);
  batchLimit('metrics, params, and tags', MAX_ENTITIES_PER_BATCH, metrics.length + params.length + tags.length);
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of params) {
    if (seen.has(p.key)) dupes.push(p.key);
    else seen.add(p.key);
  }
  if (dupes.length > 0) {
    throw invalid(
      `Duplicate parameter keys have been submitted: ${pyRepr(dupes)}. Please ensure the request contains only one param value per param key.`,
    );
  }
  return { metrics, params, tags };
}

function sizeLimit(label: string, limit: number, value: string): void {
  if (value.length > limit && pyLen(value) > limit) throw invalid(exceedsMaximumLengthMessage(label, limit));
}

/** `_validate_dataset_inputs`: required dataset fields, size limits, input tag limits. */
export function validateDatasetInputs(datasets: DatasetInput[]): DatasetInput[] {
  for (const input of listOf(datasets, 'datasets') as (DatasetInput | null | undefined)[]) {
    const d = input?.dataset;
    if (d === null || d === undefined) throw invalid('Dataset cannot be None');
    if (d.name === null || d.name === undefined) throw invalid('Dataset name cannot be None');
    if (d.digest === null || d.digest === undefined) throw invalid('Dataset digest cannot be None');
    if (d.sourceType === null || d.sourceType === undefined) throw invalid('Dataset source_type cannot be None');
    if (d.source === null || d.source === undefined) throw invalid('Dataset source cannot be None');
    sizeLimit('name', MAX_DATASET_NAME_SIZE, String(d.name));
    sizeLimit('digest', MAX_DATASET_DIGEST_SIZE, String(d.digest));
    sizeLimit('source', MAX_DATASET_SOURCE_SIZE, String(d.source));
    if (d.schema !== null && d.schema !== undefined) sizeLimit('schema', MAX_DATASET_SCHEMA_SIZE, String(d.schema));
    if (d.profile !== null && d.profile !== undefined) sizeLimit('profile', MAX_DATASET_PROFILE_SIZE, String(d.profile));
    for (const tag of listOf(input?.tags, 'tags') as ({ key?: unknown; value?: unknown } | null | undefined)[]) {
      if (tag === null || tag === undefined) throw invalid('InputTag cannot be None');
      if (tag.key === null || tag.key === undefined) throw invalid('InputTag key cannot be None');
      if (tag.value === null || tag.value === undefined) throw invalid('InputTag value cannot be None');
      sizeLimit('key', MAX_INPUT_TAG_KEY_SIZE, String(tag.key));
      sizeLimit('value', MAX_INPUT_TAG_VALUE_SIZE, String(tag.value));
    }
  }
  return datasets;
}

/**
 * `_validate_max_results_param`: absent means the default; otherwise an integer in 1..max.
 * (MLflow's file store words the upper-bound error differently; mlf uses the SQL store's words everywhere.)
 */
export function validateMaxResults(n: unknown, opts?: { default?: number; max?: number }): number {
  const max = opts?.max ?? SEARCH_MAX_RESULTS_THRESHOLD;
  if (n === undefined || n === null) return opts?.default ?? SEARCH_MAX_RESULTS_DEFAULT;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw invalid(`Invalid value ${pyStr(n)} for parameter 'max_results' supplied. It must be a positive integer`);
  }
  if (n > max) throw invalid(`Invalid value ${n} for parameter 'max_results' supplied. It must be at most ${max}`);
  return n;
}

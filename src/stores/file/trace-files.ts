/**
 * One trace's folder, as MLflow's file store lays it out (2.17 and 3.x share it):
 * ```
 * <experiment folder>/traces/<trace_id>/
 *   trace_info.yaml          2.17: execution_time_ms, experiment_id, request_id, status, timestamp_ms
 *                            3.x:  trace_id, trace_location, request_time, execution_duration, state,
 *                                  client_request_id, request_preview, response_preview
 *   request_metadata/<key>   the raw value, no newline (3.x keeps the folder name for trace_metadata)
 *   tags/<key>               the raw value, no newline (a key with '/' is a nested file)
 *   assessments/<id>.yaml    3.x only (trace-files-assessments.ts)
 * ```
 * `trace_info.yaml` is the entity's dict less tags and metadata, dumped with sorted keys. In 2.17's
 * form `execution_time_ms` is null while the trace is in progress and `status` is a name; in 3.x's
 * (`TraceInfo.to_dict()`, protobuf JSON) `request_time` is an RFC 3339 string, `execution_duration`
 * a Duration string such as `"1.5s"` (absent while in progress) and `state` a name. Either form
 * reads as both views, so the v2 and v3 APIs see every trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TRACE_STATUSES, type TraceInfo, type TraceStatus } from '../../tracking/traces.js';
import {
  TRACE_STATES,
  durationJson,
  parseDurationJson,
  parseTimestampJson,
  stateOfStatus,
  timestampJson,
  type TraceInfoV3,
  type TraceState,
} from '../../tracking/traces-v3.js';
import { assertWritableInside, isPlainName, joinInside, listFilesRecursive, readText, readTextInside, writeAtomic } from './fs-io.js';
import { dumpYaml, parseYaml, type YamlMap } from './meta-yaml.js';

export const TRACE_INFO_FILE = 'trace_info.yaml';
export const TRACE_TAGS = 'tags';
export const TRACE_REQUEST_METADATA = 'request_metadata';

/** A request id that can name a folder under `traces/` (MLflow's are 32 hex digits; imports may differ). */
export const isTraceFolderName = isPlainName;

/**
 * What a trace folder holds: the trace in both views (v3 without its assessments), nothing (no
 * `trace_info.yaml`), or why it cannot be read.
 */
export type TraceRead = { info: TraceInfo; v3: TraceInfoV3; form: 'v2' | 'v3' } | { missing: true } | { error: string };

function readKeyValues(dir: string, realRoot: string): Record<string, string> {
  const out: Record<string, string> = {};
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!st || !st.isDirectory()) return out;
  for (const key of listFilesRecursive(dir, realRoot)) {
    const value = readTextInside(path.join(dir, key), realRoot);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null);

const optStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The core fields of a 3.x `trace_info.yaml`, or why they cannot be read. */
function parseV3Map(map: YamlMap): Omit<TraceInfoV3, 'traceMetadata' | 'tags' | 'assessments'> | { error: string } {
  const traceId = map.trace_id;
  const state = map.state ?? 'STATE_UNSPECIFIED';
  if (typeof traceId !== 'string' || !traceId) return { error: 'trace_id missing' };
  if (typeof state !== 'string' || !(TRACE_STATES as readonly string[]).includes(state)) return { error: `bad state ${JSON.stringify(state)}` };
  const loc = map.trace_location as YamlMap | null | undefined;
  const exp = loc && typeof loc === 'object' ? ((loc.mlflow_experiment as YamlMap | null)?.experiment_id ?? null) : (map.experiment_id ?? null);
  try {
    // Timestamp and Duration as protobuf JSON writes them; plain milliseconds are read too.
    const requestTime = typeof map.request_time === 'number' ? map.request_time : map.request_time ? parseTimestampJson(map.request_time, 'request_time') : 0;
    const d = map.execution_duration ?? map.execution_duration_ms;
    const executionDuration = typeof d === 'number' ? d : d ? parseDurationJson(d, 'execution_duration') : null;
    return {
      traceId,
      clientRequestId: optStr(map.client_request_id),
      experimentId: exp === null ? '' : String(exp),
      requestPreview: optStr(map.request_preview),
      responsePreview: optStr(map.response_preview),
      requestTime,
      executionDuration,
      state: state as TraceState,
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Reads `<traceDir>`: `trace_info.yaml` (either form) plus its tags and request metadata. */
export function readTraceFolder(traceDir: string, realRoot: string): TraceRead {
  const text = readText(path.join(traceDir, TRACE_INFO_FILE));
  if (text === undefined) return { missing: true };
  let map: YamlMap | null;
  try {
    map = parseYaml(text);
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0]! };
  }
  if (!map) return { error: 'empty file' };
  const requestMetadata = readKeyValues(path.join(traceDir, TRACE_REQUEST_METADATA), realRoot);
  const tags = readKeyValues(path.join(traceDir, TRACE_TAGS), realRoot);
  if (map.request_id === undefined && map.trace_id !== undefined) {
    const v3 = parseV3Map(map);
    if ('error' in v3) return v3;
    const info: TraceInfo = {
      requestId: v3.traceId,
      experimentId: v3.experimentId,
      timestampMs: v3.requestTime,
      executionTimeMs: v3.executionDuration,
      // 3.x's unset state is 2.x's unset status.
      status: v3.state === 'STATE_UNSPECIFIED' ? 'TRACE_STATUS_UNSPECIFIED' : v3.state,
      requestMetadata,
      tags,
    };
    return { info, v3: { ...v3, traceMetadata: requestMetadata, tags, assessments: [] }, form: 'v3' };
  }
  const status = map.status;
  if (typeof status !== 'string' || !(TRACE_STATUSES as readonly string[]).includes(status)) return { error: `bad status ${JSON.stringify(status)}` };
  const timestampMs = int(map.timestamp_ms);
  if (typeof map.request_id !== 'string' || timestampMs === null) return { error: 'request_id or timestamp_ms missing' };
  const info: TraceInfo = {
    requestId: map.request_id,
    experimentId: map.experiment_id === null || map.experiment_id === undefined ? '' : String(map.experiment_id),
    timestampMs,
    executionTimeMs: int(map.execution_time_ms),
    status: status as TraceStatus,
    requestMetadata,
    tags,
  };
  const v3: TraceInfoV3 = {
    traceId: info.requestId,
    clientRequestId: null,
    experimentId: info.experimentId,
    requestPreview: null,
    responsePreview: null,
    requestTime: info.timestampMs,
    executionDuration: info.executionTimeMs,
    state: stateOfStatus(info.status),
    traceMetadata: requestMetadata,
    tags,
    assessments: [],
  };
  return { info, v3, form: 'v2' };
}

/** Writes `<sub>/<key>` files (existing keys overwritten, others kept): MLflow merges the same way. */
export function writeTraceKeyValues(traceDir: string, sub: string, kv: Record<string, string>, realRoot: string): void {
  const dir = path.join(traceDir, sub);
  fs.mkdirSync(dir, { recursive: true });
  for (const [key, value] of Object.entries(kv)) {
    const file = joinInside(dir, key);
    assertWritableInside(realRoot, file);
    writeAtomic(file, value);
  }
}

/** Writes `trace_info.yaml`, then the request metadata and tags given (merged into those on disk). */
export function writeTraceFolder(traceDir: string, info: TraceInfo, realRoot: string): void {
  const file = path.join(traceDir, TRACE_INFO_FILE);
  assertWritableInside(realRoot, file);
  writeAtomic(
    file,
    dumpYaml({
      execution_time_ms: info.executionTimeMs,
      experiment_id: info.experimentId,
      request_id: info.requestId,
      status: info.status,
      timestamp_ms: info.timestampMs,
    }),
  );
  writeTraceKeyValues(traceDir, TRACE_REQUEST_METADATA, info.requestMetadata, realRoot);
  writeTraceKeyValues(traceDir, TRACE_TAGS, info.tags, realRoot);
}

/**
 * Writes a 3.x `trace_info.yaml` (MLflow 3's `TraceInfo.to_dict()` less metadata, tags and
 * assessments), then the metadata and tags given (merged into those on disk).
 */
export function writeTraceFolderV3(traceDir: string, info: TraceInfoV3, realRoot: string): void {
  const file = path.join(traceDir, TRACE_INFO_FILE);
  assertWritableInside(realRoot, file);
  const map: YamlMap = {
    trace_id: info.traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: info.experimentId } },
    request_time: timestampJson(info.requestTime),
    state: info.state,
  };
  // protobuf JSON leaves unset fields out.
  if (info.executionDuration !== null) map.execution_duration = durationJson(info.executionDuration);
  if (info.clientRequestId) map.client_request_id = info.clientRequestId;
  if (info.requestPreview) map.request_preview = info.requestPreview;
  if (info.responsePreview) map.response_preview = info.responsePreview;
  writeAtomic(file, dumpYaml(map));
  writeTraceKeyValues(traceDir, TRACE_REQUEST_METADATA, info.traceMetadata, realRoot);
  writeTraceKeyValues(traceDir, TRACE_TAGS, info.tags, realRoot);
}

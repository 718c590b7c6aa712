/**
 * One trace's folder, as MLflow 2.17's file store lays it out:
 * ```
 * <experiment folder>/traces/<request_id>/
 *   trace_info.yaml          execution_time_ms, experiment_id, request_id, status, timestamp_ms
 *   request_metadata/<key>   the raw value, no newline
 *   tags/<key>               the raw value, no newline (a key with '/' is a nested file)
 * ```
 * `trace_info.yaml` is `TraceInfo.to_dict()` less tags and metadata, dumped with sorted keys:
 * `execution_time_ms` is null while the trace is in progress, `status` its name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TRACE_STATUSES, type TraceInfo, type TraceStatus } from '../../tracking/traces.js';
import { assertWritableInside, isPlainName, joinInside, listFilesRecursive, readText, readTextInside, writeAtomic } from './fs-io.js';
import { dumpYaml, parseYaml, type YamlMap } from './meta-yaml.js';

export const TRACE_INFO_FILE = 'trace_info.yaml';
export const TRACE_TAGS = 'tags';
export const TRACE_REQUEST_METADATA = 'request_metadata';

/** A request id that can name a folder under `traces/` (MLflow's are 32 hex digits; imports may differ). */
export const isTraceFolderName = isPlainName;

/** What a trace folder holds: the trace, nothing (no `trace_info.yaml`), or why it cannot be read. */
export type TraceRead = { info: TraceInfo } | { missing: true } | { error: string };

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

/** Reads `<traceDir>`: `trace_info.yaml` plus its tags and request metadata. */
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
  const status = map.status;
  if (typeof status !== 'string' || !(TRACE_STATUSES as readonly string[]).includes(status)) return { error: `bad status ${JSON.stringify(status)}` };
  const timestampMs = int(map.timestamp_ms);
  if (typeof map.request_id !== 'string' || timestampMs === null) return { error: 'request_id or timestamp_ms missing' };
  return {
    info: {
      requestId: map.request_id,
      experimentId: map.experiment_id === null || map.experiment_id === undefined ? '' : String(map.experiment_id),
      timestampMs,
      executionTimeMs: int(map.execution_time_ms),
      status: status as TraceStatus,
      requestMetadata: readKeyValues(path.join(traceDir, TRACE_REQUEST_METADATA), realRoot),
      tags: readKeyValues(path.join(traceDir, TRACE_TAGS), realRoot),
    },
  };
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

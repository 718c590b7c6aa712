/**
 * A trace's assessments in a file store, as MLflow 3's FileStore keeps them: one YAML file per
 * assessment, `<trace folder>/assessments/<assessment_id>.yaml`, holding the assessment's dict
 * (`assessment_id`, `assessment_name`, `trace_id`, `source: {source_type, source_id}`,
 * `create_time_ms`, `last_update_time_ms`, `feedback: {value, error}` or `expectation: {value}`,
 * `rationale`, `metadata`, `span_id`, `overrides`, `valid`, `run_id`). Values are any JSON value, so
 * the files are written with js-yaml rather than the flat meta.yaml writer; reading accepts the
 * older `name` and RFC 3339 `create_time` spellings as well.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ASSESSMENT_SOURCE_TYPES, type Assessment, type AssessmentSourceType } from '../../tracking/assessments.js';
import { parseTimestampJson } from '../../tracking/traces-v3.js';
import { assertWritableInside, isPlainName, joinInside, readEntries, readText, writeAtomic } from './fs-io.js';
import { parseYaml, type YamlMap } from './meta-yaml.js';

export const TRACE_ASSESSMENTS = 'assessments';
const SUFFIX = '.yaml';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** An assessment id that can name a file (MLflow's are `a-` + 32 hex digits). */
export const isAssessmentFileName = (id: string) => isPlainName(id) && isPlainName(`${id}${SUFFIX}`);

function millis(ms: unknown, rfc3339: unknown): number {
  if (typeof ms === 'number') return ms;
  if (typeof ms === 'string' && /^\d+$/.test(ms)) return Number(ms);
  if (typeof rfc3339 === 'string') {
    try {
      return parseTimestampJson(rfc3339, 'create_time');
    } catch {
      return 0;
    }
  }
  return 0;
}

/** The file's dict as the entity, or undefined when it is not an assessment. */
export function assessmentFromMap(m: YamlMap, traceId: string, fileId: string): Assessment | undefined {
  const feedback = m.feedback;
  const expectation = m.expectation;
  if (!isObj(feedback) && !isObj(expectation)) return undefined;
  const source = isObj(m.source) ? m.source : {};
  const st = String(source.source_type ?? 'SOURCE_TYPE_UNSPECIFIED');
  const err = isObj(feedback) && isObj(feedback.error) ? feedback.error : null;
  const metadata = isObj(m.metadata) ? Object.fromEntries(Object.entries(m.metadata).map(([k, v]) => [k, String(v)])) : null;
  const createTime = millis(m.create_time_ms, m.create_time);
  return {
    assessmentId: optStr(m.assessment_id) ?? fileId,
    name: optStr(m.assessment_name) ?? optStr(m.name) ?? '',
    traceId: optStr(m.trace_id) ?? traceId,
    spanId: optStr(m.span_id),
    sourceType: ((ASSESSMENT_SOURCE_TYPES as readonly string[]).includes(st) ? st : 'SOURCE_TYPE_UNSPECIFIED') as AssessmentSourceType,
    sourceId: optStr(source.source_id),
    createTime,
    lastUpdateTime: m.last_update_time_ms === undefined && m.last_update_time === undefined ? createTime : millis(m.last_update_time_ms, m.last_update_time),
    kind: isObj(feedback) ? 'feedback' : 'expectation',
    value: (isObj(feedback) ? feedback.value : (expectation as Record<string, unknown>).value) ?? null,
    error: err ? { errorCode: String(err.error_code ?? ''), errorMessage: optStr(err.error_message) ?? undefined, stackTrace: optStr(err.stack_trace) ?? undefined } : null,
    rationale: optStr(m.rationale),
    metadata: metadata && Object.keys(metadata).length ? metadata : null,
    overrides: optStr(m.overrides),
    valid: m.valid === undefined || m.valid === null ? true : m.valid === true,
    runId: optStr(m.run_id),
  };
}

/** The entity as the file's dict (unset fields left out, as MLflow's reader takes them with `.get`). */
export function assessmentMap(a: Assessment): Record<string, unknown> {
  const source: Record<string, unknown> = { source_type: a.sourceType };
  if (a.sourceId) source.source_id = a.sourceId;
  const out: Record<string, unknown> = {
    assessment_id: a.assessmentId,
    assessment_name: a.name,
    trace_id: a.traceId,
    source,
    create_time_ms: a.createTime,
    last_update_time_ms: a.lastUpdateTime,
    valid: a.valid,
  };
  if (a.kind === 'feedback') {
    const fb: Record<string, unknown> = { value: a.value ?? null };
    if (a.error) {
      fb.error = { error_code: a.error.errorCode, ...(a.error.errorMessage ? { error_message: a.error.errorMessage } : {}), ...(a.error.stackTrace ? { stack_trace: a.error.stackTrace } : {}) };
    }
    out.feedback = fb;
  } else out.expectation = { value: a.value ?? null };
  if (a.rationale) out.rationale = a.rationale;
  if (a.metadata && Object.keys(a.metadata).length) out.metadata = { ...a.metadata };
  if (a.spanId) out.span_id = a.spanId;
  if (a.overrides) out.overrides = a.overrides;
  if (a.runId) out.run_id = a.runId;
  return out;
}

const fileOf = (traceDir: string, assessmentId: string) => joinInside(traceDir, TRACE_ASSESSMENTS, `${assessmentId}${SUFFIX}`);

/** One assessment of a trace folder, or undefined when it has none with that id (or it cannot be read). */
export function readAssessmentFile(traceDir: string, traceId: string, assessmentId: string): Assessment | undefined {
  if (!isAssessmentFileName(assessmentId)) return undefined;
  const text = readText(fileOf(traceDir, assessmentId));
  if (text === undefined) return undefined;
  try {
    const m = parseYaml(text);
    return m ? assessmentFromMap(m, traceId, assessmentId) : undefined;
  } catch {
    return undefined;
  }
}

/** Every readable assessment of a trace folder, oldest first (then by id, the SQL store's order). */
export function readAssessmentFiles(traceDir: string, traceId: string): Assessment[] {
  const out: Assessment[] = [];
  for (const e of readEntries(path.join(traceDir, TRACE_ASSESSMENTS))) {
    if (!e.isFile() || !e.name.endsWith(SUFFIX)) continue;
    const a = readAssessmentFile(traceDir, traceId, e.name.slice(0, -SUFFIX.length));
    if (a) out.push(a);
  }
  return out.sort((x, y) => x.createTime - y.createTime || (x.assessmentId < y.assessmentId ? -1 : x.assessmentId > y.assessmentId ? 1 : 0));
}

export async function writeAssessmentFile(traceDir: string, a: Assessment, realRoot: string): Promise<void> {
  const { default: yaml } = await import('js-yaml');
  const file = fileOf(traceDir, a.assessmentId);
  assertWritableInside(realRoot, file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeAtomic(file, yaml.dump(assessmentMap(a), { sortKeys: true, lineWidth: -1, noRefs: true }));
}

/** Removes the file; false when there was none. */
export function removeAssessmentFile(traceDir: string, assessmentId: string, realRoot: string): boolean {
  if (!isAssessmentFileName(assessmentId)) return false;
  const file = fileOf(traceDir, assessmentId);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return false;
  assertWritableInside(realRoot, file);
  fs.rmSync(file);
  return true;
}

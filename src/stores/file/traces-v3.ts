/**
 * MLflow 3's trace API on a file store, where MLflow 3's FileStore keeps its traces: the 2.17 folder
 * `<experiment folder>/traces/<trace_id>/` with a 3.x `trace_info.yaml` (trace-files.ts) and one
 * YAML file per assessment (trace-files-assessments.ts). The v2 and v3 APIs read each other's traces.
 *
 * Spans are not stored here, as MLflow's FileStore stores none: `/v1/traces` answers 501 (no
 * `logSpans`), the trace carries no `mlflow.trace.spansLocation` tag, and the client then uploads
 * the spans as `traces.json` to the trace's artifact location, which trace get leaves to the client
 * and `get-trace-artifact` serves. Span keys in a search therefore match no trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MlfError, isMlfError } from '../../lib/errors.js';
import type { PagedList } from '../../tracking/entities.js';
import { ASSESSMENT_ID_PREFIX, applyAssessmentChanges, assessmentNotFound, assessmentTraceNotFound, type Assessment, type AssessmentChanges } from '../../tracking/assessments.js';
import { MLFLOW_ARTIFACT_LOCATION, MLFLOW_SOURCE_RUN, fileTraceInvalidState, validateTraceTag } from '../../tracking/traces.js';
import { MAX_TRACES_TO_LINK, MLFLOW_LINKED_PROMPTS, mergeLinkedPrompts, traceIdNotFound, validateTraceInfoV3, type PromptVersionRef, type TraceInfoV3, type TraceV3 } from '../../tracking/traces-v3.js';
import { appendToUri } from '../common.js';
import type { SearchTracesOptions } from '../trace-store.js';
import { assertWritableInside, joinInside } from './fs-io.js';
import { ARTIFACTS, TRACES } from './layout.js';
import { TRACE_REQUEST_METADATA, TRACE_TAGS, isTraceFolderName, readTraceFolder, writeTraceFolderV3, writeTraceKeyValues } from './trace-files.js';
import { isAssessmentFileName, readAssessmentFile, readAssessmentFiles, removeAssessmentFile, writeAssessmentFile } from './trace-files-assessments.js';
import { FileTraceStore, checkKeys } from './traces.js';

const invalid = (m: string) => new MlfError(m, 'INVALID_PARAMETER_VALUE');
const newAssessmentId = () => `${ASSESSMENT_ID_PREFIX}${randomUUID().replace(/-/g, '')}`;

export class FileTraceStoreV3 extends FileTraceStore {
  /** The folder of a trace for the V3 API (its not-found wording is the V3 one). */
  private v3Dir(traceId: string): string {
    return this.traceDir(traceId, traceIdNotFound);
  }

  /** The folder's trace in the V3 view, with its assessments. */
  private readV3(traceId: string, dir: string): TraceInfoV3 {
    const r = readTraceFolder(dir, this.realRoot);
    if ('missing' in r) throw traceIdNotFound(traceId);
    if ('error' in r || r.v3.traceId !== traceId) throw fileTraceInvalidState(traceId);
    return { ...r.v3, assessments: readAssessmentFiles(dir, traceId) };
  }

  async startTraceV3(info: TraceInfoV3): Promise<TraceInfoV3> {
    validateTraceInfoV3(info);
    for (const [k, v] of Object.entries(info.tags)) validateTraceTag(k, v);
    checkKeys(info.tags);
    checkKeys(info.traceMetadata);
    // The id names a folder, and each assessment id a file.
    if (!isTraceFolderName(info.traceId)) throw invalid(`Invalid trace ID '${info.traceId}'.`);
    for (const a of info.assessments) if (a.assessmentId && !isAssessmentFileName(a.assessmentId)) throw invalid(`Invalid assessment ID '${a.assessmentId}'.`);
    const { expDir, exp } = await this.activeExperiment(info.experimentId);
    let dir = joinInside(expDir, TRACES, info.traceId);
    try {
      const existing = this.v3Dir(info.traceId);
      // A second start of the same trace merges into it; a trace of another experiment stays its own.
      if (path.dirname(path.dirname(existing)) !== expDir) {
        throw new MlfError(`Trace with ID '${info.traceId}' already exists in another experiment.`, 'RESOURCE_ALREADY_EXISTS');
      }
      dir = existing;
    } catch (e) {
      if (!isMlfError(e) || e.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw e;
    }
    assertWritableInside(this.realRoot, dir);
    fs.mkdirSync(dir, { recursive: true });
    const tags = { ...info.tags, [MLFLOW_ARTIFACT_LOCATION]: appendToUri(exp.artifactLocation, TRACES, info.traceId, ARTIFACTS) };
    writeTraceFolderV3(dir, { ...info, experimentId: exp.experimentId, tags }, this.realRoot);
    this.dirs.set(info.traceId, dir);
    const now = Date.now();
    for (const a of info.assessments) {
      await writeAssessmentFile(dir, { ...a, traceId: info.traceId, assessmentId: a.assessmentId || newAssessmentId(), createTime: a.createTime || now }, this.realRoot);
    }
    return this.readV3(info.traceId, dir);
  }

  async getTraceInfoV3(traceId: string): Promise<TraceInfoV3> {
    return this.readV3(traceId, this.v3Dir(traceId));
  }

  /** The info with no spans: a file store's spans are the client's `traces.json` artifact. */
  async getTraceV3(traceId: string): Promise<TraceV3> {
    return { info: await this.getTraceInfoV3(traceId), spans: [] };
  }

  async batchGetTracesV3(traceIds: string[]): Promise<TraceV3[]> {
    const out: TraceV3[] = [];
    for (const id of new Set(traceIds)) {
      try {
        out.push(await this.getTraceV3(id));
      } catch (e) {
        if (!isMlfError(e) || e.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw e;
      }
    }
    return out;
  }

  async searchTracesV3(opts: SearchTracesOptions): Promise<PagedList<TraceInfoV3>> {
    const page = this.searchFolders({ ...opts, spanFilters: true });
    // Assessments are read for the page only.
    return { ...page, items: page.items.map((f) => ({ ...f.v3, assessments: readAssessmentFiles(f.dir, f.v3.traceId) })) };
  }

  /** As the SQL store at mlf's head: the trace's `mlflow.sourceRun` metadata, where it has none (metadata is immutable in MLflow). */
  async linkTracesToRun(traceIds: string[], runId: string): Promise<void> {
    if (traceIds.length > MAX_TRACES_TO_LINK) {
      throw invalid(`Cannot link more than ${MAX_TRACES_TO_LINK} traces to a run in a single request. Provided ${traceIds.length} traces.`);
    }
    for (const id of traceIds) {
      let dir: string;
      try {
        dir = this.v3Dir(id);
      } catch (e) {
        if (isMlfError(e) && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') continue; // unknown ids are skipped, as the SQL store's insert-select does
        throw e;
      }
      if (!fs.existsSync(joinInside(dir, TRACE_REQUEST_METADATA, MLFLOW_SOURCE_RUN))) writeTraceKeyValues(dir, TRACE_REQUEST_METADATA, { [MLFLOW_SOURCE_RUN]: runId }, this.realRoot);
    }
  }

  async linkPromptsToTrace(traceId: string, versions: PromptVersionRef[]): Promise<void> {
    const dir = this.v3Dir(traceId);
    const current = this.readV3(traceId, dir).tags[MLFLOW_LINKED_PROMPTS];
    const merged = mergeLinkedPrompts(current, versions);
    validateTraceTag(MLFLOW_LINKED_PROMPTS, merged);
    if (merged !== current) writeTraceKeyValues(dir, TRACE_TAGS, { [MLFLOW_LINKED_PROMPTS]: merged }, this.realRoot);
  }

  async createAssessment(a: Assessment): Promise<Assessment> {
    const dir = this.v3Dir(a.traceId);
    if (!isAssessmentFileName(a.assessmentId)) throw invalid(`Invalid assessment ID '${a.assessmentId}'.`);
    if (a.overrides) {
      const target = readAssessmentFile(dir, a.traceId, a.overrides);
      if (!target) throw assessmentNotFound(a.overrides, a.traceId);
      await writeAssessmentFile(dir, { ...target, valid: false }, this.realRoot);
    }
    await writeAssessmentFile(dir, a, this.realRoot);
    return a;
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    const a = readAssessmentFile(this.traceDir(traceId, assessmentTraceNotFound), traceId, assessmentId);
    if (!a) throw assessmentNotFound(assessmentId, traceId);
    return a;
  }

  async updateAssessment(traceId: string, assessmentId: string, changes: AssessmentChanges): Promise<Assessment> {
    const dir = this.traceDir(traceId, assessmentTraceNotFound);
    const old = readAssessmentFile(dir, traceId, assessmentId);
    if (!old) throw assessmentNotFound(assessmentId, traceId);
    const next = applyAssessmentChanges(old, changes, Date.now());
    await writeAssessmentFile(dir, next, this.realRoot);
    return next;
  }

  /** Idempotent; the assessment it overrode counts again. */
  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    let dir: string;
    try {
      dir = this.v3Dir(traceId);
    } catch (e) {
      if (isMlfError(e) && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return;
      throw e;
    }
    const a = readAssessmentFile(dir, traceId, assessmentId);
    if (!a) return;
    if (a.overrides) {
      const target = readAssessmentFile(dir, traceId, a.overrides);
      if (target) await writeAssessmentFile(dir, { ...target, valid: true }, this.realRoot);
    }
    removeAssessmentFile(dir, assessmentId, this.realRoot);
  }
}

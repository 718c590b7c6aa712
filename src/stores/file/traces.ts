/**
 * MLflow 2.x traces in a file store, where MLflow 2.17's FileStore keeps them:
 * `<experiment folder>/traces/<request_id>/` (see trace-files.ts), with the spans (`traces.json`)
 * under the artifact location `<experiment artifact location>/traces/<request_id>/artifacts`.
 * Deleted experiments live in `.trash/`, and their traces stay readable, as MLflow's do.
 *
 * Checks, messages and delete semantics are the file store's (they differ from the SQL store's in
 * wording, and a missing experiment is an error here); search uses the one trace grammar and
 * evaluates it in memory with the SQL store's semantics (evaluate-traces.ts).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMlfError } from '../../lib/errors.js';
import type { PagedList } from '../../tracking/entities.js';
import { compareTraces, traceMatches } from '../../tracking/search/evaluate-traces.js';
import { decodePageToken, encodePageToken } from '../../tracking/search/page-token.js';
import { parseTraceFilter, parseTraceOrderBy } from '../../tracking/search/traces.js';
import {
  MLFLOW_ARTIFACT_LOCATION,
  SEARCH_TRACES_DEFAULT_MAX_RESULTS,
  fileExperimentMissing,
  fileTraceInvalidState,
  fileTraceNotFound,
  fileTraceTagNotFound,
  validateDeleteTraces,
  validateSearchTracesMaxResults,
  type TraceInfo,
  type TraceStatus,
} from '../../tracking/traces.js';
import { validateExperimentId, validateKeyName } from '../../tracking/validation.js';
import { appendToUri } from '../common.js';
import type { DeleteTracesOptions, SearchTracesOptions, TraceStore } from '../trace-store.js';
import { assertWritableInside, joinInside, readEntries } from './fs-io.js';
import { ARTIFACTS, MODELS, TRACES, TRASH } from './layout.js';
import { TRACE_TAGS, isTraceFolderName, readTraceFolder, writeTraceFolder, writeTraceFolderV3, writeTraceKeyValues, type TraceRead } from './trace-files.js';
import { stateOfStatus } from '../../tracking/traces-v3.js';

/** What the trace code needs of the file store. */
export interface FileTraceAccess {
  root: string;
  getExperiment(id: string): Promise<{ experimentId: string; artifactLocation: string; lifecycleStage: string }>;
}

/** MLflow's `_validate_tag_name`, which its file store applies to every tag and metadata key. */
export function checkKeys(kv: Record<string, string>): void {
  for (const key of Object.keys(kv)) validateKeyName(key, 'tag');
}

/** A readable trace folder: both views of its trace, and where it is. */
export type TraceFolder = Extract<TraceRead, { info: unknown }> & { dir: string };

const isExperimentFolderName = (id: string) => /^[0-9A-Za-z_-]+$/.test(id) && id !== TRASH && id !== MODELS;

export class FileTraceStore implements TraceStore {
  protected readonly trash: string;
  protected readonly realRoot: string;
  /** request id → trace folder; trusted only while the folder exists (experiments move to and from .trash). */
  protected readonly dirs = new Map<string, string>();

  constructor(
    protected readonly store: FileTraceAccess,
    protected readonly warn: (message: string) => void = () => undefined,
  ) {
    this.trash = path.join(store.root, TRASH);
    this.realRoot = fs.realpathSync.native(store.root);
  }

  /** An experiment's folder: active ones in the root, deleted ones in .trash (unless `activeOnly`). */
  protected experimentDir(experimentId: string, activeOnly = false): string | undefined {
    if (!isExperimentFolderName(experimentId)) return undefined;
    for (const parent of activeOnly ? [this.store.root] : [this.store.root, this.trash]) {
      const dir = path.join(parent, experimentId);
      if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
    }
    return undefined;
  }

  protected experimentDirs(): string[] {
    const out: string[] = [];
    for (const parent of [this.store.root, this.trash]) {
      for (const e of readEntries(parent)) if (e.isDirectory() && isExperimentFolderName(e.name)) out.push(path.join(parent, e.name));
    }
    return out;
  }

  /** The folder of a trace, in whichever experiment (active or deleted) holds it. */
  protected traceDir(requestId: string, notFound: (id: string) => Error = fileTraceNotFound): string {
    if (!isTraceFolderName(requestId)) throw notFound(requestId);
    const known = this.dirs.get(requestId);
    if (known && fs.existsSync(known)) return known;
    for (const exp of this.experimentDirs()) {
      const dir = path.join(exp, TRACES, requestId);
      if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
        this.dirs.set(requestId, dir);
        return dir;
      }
    }
    this.dirs.delete(requestId);
    throw notFound(requestId);
  }

  protected readAt(requestId: string, dir: string): TraceInfo {
    const r = readTraceFolder(dir, this.realRoot);
    if ('missing' in r) throw fileTraceNotFound(requestId);
    if ('error' in r || r.info.requestId !== requestId) throw fileTraceInvalidState(requestId);
    return r.info;
  }

  /** An active experiment's folder and record (MLflow's file store: a deleted one "does not exist"). */
  protected async activeExperiment(experimentId: string): Promise<{ expDir: string; exp: Awaited<ReturnType<FileTraceAccess['getExperiment']>> }> {
    validateExperimentId(experimentId);
    const expDir = this.experimentDir(experimentId, true);
    let exp: Awaited<ReturnType<FileTraceAccess['getExperiment']>> | undefined;
    try {
      exp = expDir ? await this.store.getExperiment(experimentId) : undefined;
    } catch (e) {
      if (!isMlfError(e) || e.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw e;
    }
    if (!expDir || !exp || exp.lifecycleStage !== 'active') throw fileExperimentMissing(experimentId);
    return { expDir, exp };
  }

  async startTrace(experimentId: string, timestampMs: number, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo> {
    const { expDir, exp } = await this.activeExperiment(experimentId);
    checkKeys(requestMetadata);
    checkKeys(tags);
    const requestId = randomUUID().replace(/-/g, '');
    const info: TraceInfo = {
      requestId,
      experimentId,
      timestampMs,
      executionTimeMs: null,
      status: 'IN_PROGRESS',
      requestMetadata: { ...requestMetadata },
      tags: { ...tags, [MLFLOW_ARTIFACT_LOCATION]: appendToUri(exp.artifactLocation, TRACES, requestId, ARTIFACTS) },
    };
    const dir = joinInside(expDir, TRACES, requestId);
    assertWritableInside(this.realRoot, dir);
    fs.mkdirSync(dir, { recursive: true });
    writeTraceFolder(dir, info, this.realRoot);
    this.dirs.set(requestId, dir);
    return info;
  }

  async endTrace(requestId: string, timestampMs: number, status: TraceStatus, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo> {
    const dir = this.traceDir(requestId);
    const info = this.readAt(requestId, dir);
    const r = readTraceFolder(dir, this.realRoot);
    checkKeys(requestMetadata);
    checkKeys(tags);
    const ended: TraceInfo = {
      ...info,
      executionTimeMs: timestampMs - info.timestampMs,
      status,
      requestMetadata: { ...info.requestMetadata, ...requestMetadata },
      tags: { ...info.tags, ...tags },
    };
    // A trace written in 3.x's form keeps it (and its previews and client request id).
    if ('form' in r && r.form === 'v3') {
      writeTraceFolderV3(dir, { ...r.v3, executionDuration: ended.executionTimeMs, state: stateOfStatus(status), traceMetadata: ended.requestMetadata, tags: ended.tags }, this.realRoot);
    } else writeTraceFolder(dir, ended, this.realRoot);
    return ended;
  }

  async getTraceInfo(requestId: string): Promise<TraceInfo> {
    return this.readAt(requestId, this.traceDir(requestId));
  }

  /** Every readable trace of an experiment folder (both views, with its folder); malformed ones are skipped with a warning, as MLflow does. */
  protected foldersIn(expDir: string): TraceFolder[] {
    const out: TraceFolder[] = [];
    const tracesDir = path.join(expDir, TRACES);
    for (const e of readEntries(tracesDir)) {
      if (!e.isDirectory()) continue;
      const dir = path.join(tracesDir, e.name);
      const r = readTraceFolder(dir, this.realRoot);
      if ('info' in r) out.push({ ...r, dir });
      else if ('error' in r) this.warn(`skipping malformed trace with request_id '${e.name}' (${r.error})`);
    }
    return out;
  }

  protected tracesIn(expDir: string): TraceInfo[] {
    return this.foldersIn(expDir).map((r) => r.info);
  }

  async searchTraces(opts: SearchTracesOptions): Promise<PagedList<TraceInfo>> {
    const page = this.searchFolders(opts);
    return { ...page, items: page.items.map((f) => f.info) };
  }

  /** One page of a search, as trace folders (span keys, allowed with `spanFilters`, match no trace: no spans are stored here). */
  protected searchFolders(opts: SearchTracesOptions): PagedList<TraceFolder> {
    const maxResults = opts.maxResults ?? SEARCH_TRACES_DEFAULT_MAX_RESULTS;
    validateSearchTracesMaxResults(maxResults, 'file');
    const filter = parseTraceFilter(opts.filter, opts.spanFilters);
    const orderBy = parseTraceOrderBy(opts.orderBy);
    const offset = decodePageToken(opts.pageToken);
    const all: TraceFolder[] = [];
    for (const id of opts.experimentIds) {
      const dir = this.experimentDir(id);
      if (!dir) throw fileExperimentMissing(id);
      for (const t of this.foldersIn(dir)) if (traceMatches(t.info, filter)) all.push(t);
    }
    const compare = compareTraces(orderBy);
    all.sort((a, b) => compare(a.info, b.info));
    const items = all.slice(offset, offset + maxResults);
    // MLflow's file store offers a next page only when one exists.
    return offset + maxResults < all.length ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
  }

  async deleteTraces(experimentId: string, opts: DeleteTracesOptions): Promise<number> {
    const ids = opts.requestIds ?? [];
    validateDeleteTraces(opts.maxTimestampMillis, opts.maxTraces, ids);
    const expDir = this.experimentDir(experimentId);
    if (!expDir) throw fileExperimentMissing(experimentId);
    const tracesDir = path.join(expDir, TRACES);
    let doomed: string[];
    // As MLflow's file store reads it: a zero timestamp is no bound, and then the ids decide.
    if (opts.maxTimestampMillis) {
      const old = this.tracesIn(expDir).filter((t) => t.timestampMs <= opts.maxTimestampMillis!);
      old.sort((a, b) => a.timestampMs - b.timestampMs || (a.requestId < b.requestId ? -1 : 1));
      doomed = old.slice(0, opts.maxTraces ?? old.length).map((t) => t.requestId);
    } else {
      // Unknown ids are not an error; they just do not count.
      doomed = [...new Set(ids)].filter((id) => isTraceFolderName(id) && fs.existsSync(path.join(tracesDir, id)));
    }
    for (const id of doomed) {
      const dir = joinInside(tracesDir, id);
      assertWritableInside(this.realRoot, dir);
      fs.rmSync(dir, { recursive: true, force: true });
      this.dirs.delete(id);
    }
    return doomed.length;
  }

  async setTraceTag(requestId: string, key: string, value: string): Promise<void> {
    const dir = this.traceDir(requestId);
    validateKeyName(key, 'tag');
    writeTraceKeyValues(dir, TRACE_TAGS, { [key]: value }, this.realRoot);
  }

  async deleteTraceTag(requestId: string, key: string): Promise<void> {
    validateKeyName(key, 'tag');
    const file = joinInside(this.traceDir(requestId), TRACE_TAGS, key);
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw fileTraceTagNotFound(requestId, key);
    assertWritableInside(this.realRoot, file);
    fs.rmSync(file);
  }
}

/**
 * A purged experiment folder's traces: how many, and every trace's artifact folder. gc removes them
 * after the purge: those inside the experiment folder are gone by then, the others (an artifact
 * location elsewhere) are removed under gc's own-folder rule.
 */
export function tracesOfExperimentFolder(expDir: string, realRoot: string): { count: number; artifacts: { kind: 'trace'; id: string; uri: string }[] } {
  const artifacts: { kind: 'trace'; id: string; uri: string }[] = [];
  let count = 0;
  const tracesDir = path.join(expDir, TRACES);
  for (const e of readEntries(tracesDir)) {
    if (!e.isDirectory()) continue;
    count++;
    const r = readTraceFolder(path.join(tracesDir, e.name), realRoot);
    const uri = 'info' in r ? r.info.tags[MLFLOW_ARTIFACT_LOCATION] : undefined;
    if (uri) artifacts.push({ kind: 'trace', id: e.name, uri });
  }
  return { count, artifacts };
}

/**
 * MLflow's file store (`./mlruns`), read and written in MLflow's exact layout, with MLflow's
 * semantics and the SQL store's messages where MLflow's two stores word things differently.
 *
 * Speed: a search reads only what its filter, order and returned page need. Run `meta.yaml` files
 * go through a small hand parser; metric files are read only for metrics the filter or order
 * names; params, tags and inputs likewise; full runs are built only for the page returned.
 *
 * Safety: ids and keys are validated before they become paths, every path is joined under the
 * root with a containment check, writes resolve their folder's realpath first (a symlink cannot
 * carry them outside), meta/param/tag files are replaced by rename, metric lines are appended in
 * one write per key.
 *
 * @example
 * const store = await FileStore.open('/home/me/mlruns', {});
 * const run = await store.createRun({ experimentId: '0', startTime: Date.now() });
 * await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.5, timestamp: Date.now(), step: 0 }] });
 */
import { experimentNameTaken, malformedModelJson, mustBeActive, paramsAlreadyLogged, paramValueChanged } from '../../tracking/messages.js';
import fs from 'node:fs';
import path from 'node:path';
import { MlfError, invalidParameter } from '../../lib/errors.js';
import { FileLoggedModels } from './logged-models.js';
import { FileTraceStore, tracesOfExperimentFolder } from './traces.js';
import { noStoreError } from '../no-store.js';
import {
  MLFLOW_LOGGED_MODELS,
  MLFLOW_RUN_NAME,
  sortByKey,
  stageMatchesView,
  type Dataset,
  type DatasetInput,
  type Experiment,
  type ExperimentTag,
  type Metric,
  type MetricWithRunId,
  type PagedList,
  type Param,
  type Run,
  type RunInfo,
  type RunTag,
  type ViewType,
} from '../../tracking/entities.js';
import { maskUri, pathToFileUri, uriScheme, fileUriToPath } from '../../tracking/uri.js';
import {
  validateDatasetInputs,
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateKeyName,
  validateLogBatch,
  validateMaxResults,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunStatus,
  validateTag,
} from '../../tracking/validation.js';
import { sampleBulkIntervalSteps, validateBulkInterval } from '../metric-sampling.js';
import type { Comparison, OrderByClause } from '../../tracking/search/ast.js';
import {
  compareExperiments,
  compareRuns,
  experimentMatches,
  paginate,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  runMatches,
} from '../../tracking/search/index.js';
import {
  EXPERIMENT_NOT_FOUND,
  RUN_NOT_FOUND,
  appendToUri,
  currentUser,
  newFileExperimentId,
  newRunId,
  resolveRunName,
} from '../common.js';
import { experimentsNotDeletedMessage, runNotDeletedMessage } from '../sql/purge.js';
import type {
  BulkIntervalOptions,
  CreateExperimentOptions,
  CreateRunOptions,
  LogBatch,
  PurgeResult,
  SearchExperimentsOptions,
  SearchRunsOptions,
  TrackingStore,
  UpdateRunOptions,
} from '../tracking-store.js';
import {
  appendLines,
  assertWritableInside,
  createExclusive,
  isTempName,
  joinInside,
  listFilesRecursive,
  readEntries,
  readText,
  readTextInside,
  realpathInside,
  writeAtomic,
} from './fs-io.js';
import {
  ARTIFACTS,
  DATASETS,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  INPUTS,
  META,
  METRICS,
  MODELS,
  PARAMS,
  RESERVED_EXPERIMENT_FOLDERS,
  TAGS,
  TRASH,
  datasetFromMeta,
  datasetId,
  datasetToMeta,
  experimentFromMeta,
  experimentToMeta,
  inputId,
  runInfoFromMeta,
  runInfoFromMetaText,
  runInfoToMeta,
} from './layout.js';
import { dumpYaml, loadYamlFallback, parseYaml, type YamlMap } from './meta-yaml.js';
import { metricLine, parseLatestMetric, parseMetricHistory } from './metric-file.js';

/** Where an experiment's folder is: `<root>/<id>` (active) or `<root>/.trash/<id>` (deleted). */
interface ExperimentLocation {
  id: string;
  dir: string;
  inTrash: boolean;
}

interface RunLocation {
  runId: string;
  experimentId: string;
  experimentDir: string;
  dir: string;
  /** Sub-folders already found readable during this search (saves an lstat per pass). */
  readable?: Set<string>;
}

/** What a search must read beyond `meta.yaml` to evaluate its filter and order. */
interface SearchNeeds {
  metrics: Set<string>;
  params: Set<string>;
  tags: Set<string>;
  inputs: boolean;
}

const BULK_FROM_STEPS_MAX_RESULTS = 25_000;

export class FileStore implements TrackingStore {
  readonly kind = 'file' as const;
  readonly displayUri: string;
  /** Absolute path of the store root, as given. */
  readonly root: string;
  /** Default artifact root of new experiments (`file://<root>` unless set). */
  readonly artifactRoot: string;
  private readonly trash: string;
  /** The root with symlinks resolved: every path the store touches must resolve under it. */
  private readonly realRoot: string;
  /**
   * run id → folder. Used only after checking that the folder still exists (a run folder is named
   * by its id, so an existing folder is that run); a miss or a moved experiment triggers a rescan.
   */
  private readonly runLocations = new Map<string, RunLocation>();

  /** Where a corrupt meta.yaml is reported (once per file and error) while listings go on. */
  private readonly warn: (message: string) => void;
  private readonly warned = new Set<string>();

  private constructor(root: string, artifactRoot: string, onWarning: (message: string) => void = warnOnStderr) {
    this.warn = onWarning;
    this.root = root;
    this.trash = path.join(root, TRASH);
    this.realRoot = fs.realpathSync.native(root);
    this.artifactRoot = artifactRoot;
    this.displayUri = maskUri(pathToFileUri(root));
  }

  /**
   * Opens (and, if the folder does not exist, creates) a file store. A new root gets the `Default`
   * experiment `0`, as MLflow does; `.trash/` is created when missing.
   */
  /** `readOnly`: only reads follow, so a folder that holds no store is an error, never created. */
  static async open(root: string, opts: { artifactRoot?: string; readOnly?: boolean; onWarning?: (message: string) => void } = {}): Promise<FileStore> {
    await loadYamlFallback();
    const abs = path.resolve(root);
    const artifactRoot = opts.artifactRoot ? resolveLocalUri(opts.artifactRoot) : pathToFileUri(abs);
    const existed = fs.existsSync(abs);
    if (existed && !fs.statSync(abs).isDirectory()) {
      throw new MlfError(`'${abs}' is not a directory.`, 'INVALID_PARAMETER_VALUE');
    }
    if (opts.readOnly) {
      if (!existed || !looksLikeFileStore(abs)) throw noStoreError(abs);
      return new FileStore(abs, artifactRoot, opts.onWarning);
    }
    if (!existed) fs.mkdirSync(abs, { recursive: true });
    const store = new FileStore(abs, artifactRoot, opts.onWarning);
    if (!existed) store.createExperimentWithId(DEFAULT_EXPERIMENT_NAME, DEFAULT_EXPERIMENT_ID, undefined, []);
    fs.mkdirSync(store.trash, { recursive: true });
    return store;
  }

  private loggedModelStore?: FileLoggedModels;
  /** MLflow 3's logged models, under `<experiment>/models/<model_id>/`. */
  get loggedModels(): FileLoggedModels {
    return (this.loggedModelStore ??= new FileLoggedModels(this));
  }

  /** A run's folder and stage, for the logged-model links (run-links.ts). */
  runFolder(runId: string): { dir: string; lifecycleStage: string } {
    const { loc, info } = this.runAt(runId);
    return { dir: loc.dir, lifecycleStage: info.lifecycleStage };
  }

  private traceStore?: FileTraceStore;
  /** MLflow 2.17's traces, under `<experiment>/traces/<request_id>/`. */
  get traces(): FileTraceStore {
    return (this.traceStore ??= new FileTraceStore(this, this.warn));
  }

  async close(): Promise<void> {
    this.runLocations.clear();
  }

  async atomic<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T> {
    // No transactions on a folder: callers validate everything before the first write.
    return fn(this);
  }

  // ------------------------------------------------------------------ low-level reads

  private readMeta(dir: string): YamlMap | null {
    const file = path.join(dir, META);
    const text = readText(file);
    if (text === undefined) return null;
    const r = parseMeta(text);
    if ('error' in r) {
      this.reportCorrupt(file, r.error);
      return null;
    }
    return r.meta;
  }

  /** Names a corrupt meta file and why, once per file and error. */
  private reportCorrupt(file: string, error: string): void {
    const key = `${file}\u0000${error}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(`skipping ${file}: malformed meta.yaml (${error})`);
  }

  /** The problem with the meta.yaml in `dir`, if it exists and cannot be read as metadata. */
  private metaProblem(dir: string): string | undefined {
    const text = readText(path.join(dir, META));
    if (text === undefined) return undefined;
    const r = parseMeta(text);
    return 'error' in r ? r.error : undefined;
  }

  private writeMeta(dir: string, meta: YamlMap): void {
    const file = path.join(dir, META);
    assertWritableInside(this.realRoot, file);
    writeAtomic(file, dumpYaml(meta));
  }

  /** Sub-folders of `dir` (real folders, or symlinks to folders inside the root). */
  private listDirs(dir: string): string[] {
    const out: string[] = [];
    for (const e of readEntries(dir)) {
      if (e.isDirectory()) out.push(e.name);
      else if (e.isSymbolicLink()) {
        const p = path.join(dir, e.name);
        if (realpathInside(this.realRoot, p) && fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) out.push(e.name);
      }
    }
    return out;
  }

  /**
   * Whether `<owner>/<folder>` can be read through: a real folder, or a symlink that resolves inside
   * the root. The owner folder itself always comes from a checked listing or lookup.
   */
  private folderReadable(dir: string): boolean {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isDirectory()) return true;
    return st.isSymbolicLink() && realpathInside(this.realRoot, dir);
  }

  /**
   * `<folder>/<key>` of a run or experiment, or undefined if absent. The folder is checked with
   * {@link folderReadable} (pass `checked` when the caller already did); a key with '/' has
   * folders in between, so the file's realpath is checked too. The file itself is opened with
   * O_NOFOLLOW (a symlink there is followed only when it stays inside the root).
   */
  private readKeyFile(ownerDir: string, folder: string, key: string, checked = false): string | undefined {
    const dir = ownerDir + path.sep + folder;
    if (!checked && !this.folderReadable(dir)) return undefined;
    if (key.includes('/')) {
      let file: string;
      try {
        file = joinInside(dir, key);
      } catch {
        return undefined;
      }
      if (!fs.existsSync(file) || !realpathInside(this.realRoot, file)) return undefined;
      return readTextInside(file, this.realRoot);
    }
    return readTextInside(dir + path.sep + key, this.realRoot);
  }

  private readKeyValues(ownerDir: string, folder: string): { key: string; value: string }[] {
    const dir = path.join(ownerDir, folder);
    const out: { key: string; value: string }[] = [];
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st || (st.isSymbolicLink() && !realpathInside(this.realRoot, dir))) return out;
    for (const key of listFilesRecursive(dir, this.realRoot)) {
      const value = readTextInside(path.join(dir, key), this.realRoot);
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }

  // ------------------------------------------------------------------ experiments: locate and read

  private activeExperimentIds(): string[] {
    return this.listDirs(this.root).filter((n) => n !== TRASH && n !== MODELS);
  }

  private deletedExperimentIds(): string[] {
    return this.listDirs(this.trash);
  }

  /** The folder of an experiment, looked up among active ones, deleted ones, or both. */
  private locateExperiment(id: string, view: ViewType = 'ALL'): ExperimentLocation | undefined {
    if (view !== 'DELETED_ONLY' && id !== TRASH && id !== MODELS) {
      const dir = joinInside(this.root, id);
      if (this.isDirInside(dir)) return { id, dir, inTrash: false };
    }
    if (view !== 'ACTIVE_ONLY') {
      const dir = joinInside(this.trash, id);
      if (this.isDirInside(dir)) return { id, dir, inTrash: true };
    }
    return undefined;
  }

  private isDirInside(dir: string): boolean {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isDirectory()) return true;
    return st.isSymbolicLink() && realpathInside(this.realRoot, dir) && !!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory();
  }

  /**
   * The experiment in `loc`, or undefined when its meta is missing, unreadable or names another id.
   * `withTags: false` skips reading `tags/` (name lookups do not need them).
   */
  private readExperiment(loc: ExperimentLocation, withTags = true): Experiment | undefined {
    const meta = this.readMeta(loc.dir);
    if (!meta || meta.experiment_id === undefined) return undefined;
    const e = experimentFromMeta(meta);
    if (e.experimentId !== loc.id) return undefined;
    return { ...e, tags: withTags ? sortByKey(this.readKeyValues(loc.dir, TAGS)) : [] };
  }

  private getExperimentAt(id: string, view: ViewType = 'ALL'): { loc: ExperimentLocation; exp: Experiment } {
    const loc = this.locateExperiment(id, view);
    const exp = loc && this.readExperiment(loc);
    if (loc && !exp) {
      const problem = this.metaProblem(loc.dir);
      if (problem) throw corruptMeta(`Experiment '${id}'`, path.join(loc.dir, META), problem);
    }
    if (!loc || !exp) throw EXPERIMENT_NOT_FOUND(id);
    return { loc, exp };
  }

  private allExperiments(view: ViewType, withTags = true): { loc: ExperimentLocation; exp: Experiment }[] {
    const out: { loc: ExperimentLocation; exp: Experiment }[] = [];
    const add = (id: string, inTrash: boolean) => {
      const loc = { id, dir: path.join(inTrash ? this.trash : this.root, id), inTrash };
      const exp = this.readExperiment(loc, withTags);
      if (exp) out.push({ loc, exp });
    };
    if (view !== 'DELETED_ONLY') for (const id of this.activeExperimentIds()) add(id, false);
    if (view !== 'ACTIVE_ONLY') for (const id of this.deletedExperimentIds()) add(id, true);
    return out;
  }

  // ------------------------------------------------------------------ experiments: API

  async createExperiment(opts: CreateExperimentOptions): Promise<string> {
    const name = validateExperimentName(opts.name);
    const tags = (opts.tags ?? []).map((t) => validateExperimentTag(t));
    this.assertNameFree(name);
    for (;;) {
      const id = newFileExperimentId();
      if (this.locateExperiment(id)) continue;
      this.createExperimentWithId(name, id, opts.artifactLocation, tags);
      return id;
    }
  }

  private assertNameFree(name: string, exceptId?: string): void {
    // An experiment whose meta.yaml cannot be read may carry this name: never make a duplicate.
    for (const dir of [...this.activeExperimentIds().map((id) => path.join(this.root, id)), ...this.deletedExperimentIds().map((id) => path.join(this.trash, id))]) {
      const problem = this.metaProblem(dir);
      if (!problem) continue;
      const file = path.join(dir, META);
      throw new MlfError(
        `Cannot create experiment '${name}': ${file} is corrupt (${problem}), so that experiment's name is unknown. Repair or remove it first.`,
        'INVALID_STATE',
      );
    }
    for (const { exp } of this.allExperiments('ALL', false)) {
      // Deleted or not, one wording on every store (MLflow's file store words the deleted case apart).
      if (exp.name === name && exp.experimentId !== exceptId) throw experimentNameTaken(name);
    }
  }

  private createExperimentWithId(name: string, id: string, artifactLocation: string | undefined, tags: ExperimentTag[]): void {
    const dir = joinInside(this.root, id);
    assertWritableInside(this.realRoot, path.join(dir, META));
    fs.mkdirSync(dir);
    const now = Date.now();
    const exp: Experiment = {
      experimentId: id,
      name,
      artifactLocation: artifactLocation ? resolveLocalUri(artifactLocation) : appendToUri(this.artifactRoot, id),
      lifecycleStage: 'active',
      creationTime: now,
      lastUpdateTime: now,
      tags: [],
    };
    this.writeMeta(dir, experimentToMeta(exp, false));
    for (const t of tags) this.writeKeyFile(dir, TAGS, t.key, t.value);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const id = validateExperimentId(experimentId ?? DEFAULT_EXPERIMENT_ID);
    return this.getExperimentAt(id).exp;
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    let hit: ExperimentLocation | null = null;
    for (const { loc, exp } of this.allExperiments('ALL', false)) {
      if (exp.name !== name) continue;
      if (exp.lifecycleStage === 'active') return this.readExperiment(loc) ?? null;
      hit ??= loc;
    }
    return hit ? (this.readExperiment(hit) ?? null) : null;
  }

  async searchExperiments(opts: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> {
    const maxResults = validateMaxResults(opts.maxResults);
    const filter = parseExperimentFilter(opts.filter);
    const orderBy = parseExperimentOrderBy(opts.orderBy);
    const view = opts.viewType ?? 'ACTIVE_ONLY';
    const matched = this.allExperiments(view)
      .map((x) => x.exp)
      .filter((e) => stageMatchesView(e.lifecycleStage, view) && experimentMatches(e, filter));
    matched.sort(compareExperiments(orderBy));
    return paginate(matched, maxResults, opts.pageToken);
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    if (id === DEFAULT_EXPERIMENT_ID) {
      // MLflow's file store keeps `0` forever: it is recreated only for a brand-new root.
      throw invalidParameter(`Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an internally reserved experiment.`);
    }
    const { loc, exp } = this.getExperimentAt(id, 'ACTIVE_ONLY');
    if (exp.lifecycleStage !== 'active') throw EXPERIMENT_NOT_FOUND(id);
    const target = joinInside(this.trash, id);
    if (fs.existsSync(target)) {
      throw new MlfError(`Cannot delete experiment ${id}: '${path.join(TRASH, id)}' already exists in the store.`, 'RESOURCE_ALREADY_EXISTS');
    }
    const now = Date.now();
    // Only active runs are marked (and stamped): runs deleted earlier keep their deleted_time.
    for (const runDir of this.runDirs(loc)) {
      const meta = this.readMeta(runDir);
      if (!meta) continue;
      const info = runInfoFromMeta(meta);
      if (info.experimentId !== id || info.lifecycleStage !== 'active') continue;
      this.writeMeta(runDir, runInfoToMeta({ ...info, lifecycleStage: 'deleted', deletedTime: now }));
    }
    this.writeMeta(loc.dir, experimentToMeta({ ...exp, lifecycleStage: 'deleted', lastUpdateTime: now }, true));
    assertWritableInside(this.realRoot, target);
    fs.renameSync(loc.dir, target);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    const { loc, exp } = this.getExperimentAt(id, 'DELETED_ONLY');
    if (this.locateExperiment(id, 'ACTIVE_ONLY')) {
      throw new MlfError(`Cannot restore experiment with ID ${id}. An experiment with same ID already exists.`, 'RESOURCE_ALREADY_EXISTS');
    }
    const target = joinInside(this.root, id);
    assertWritableInside(this.realRoot, target);
    fs.renameSync(loc.dir, target);
    const active: ExperimentLocation = { id, dir: target, inTrash: false };
    for (const runDir of this.runDirs(active)) {
      const meta = this.readMeta(runDir);
      if (!meta) continue;
      const info = runInfoFromMeta(meta);
      if (info.experimentId !== id || info.lifecycleStage !== 'deleted') continue;
      this.writeMeta(runDir, runInfoToMeta({ ...info, lifecycleStage: 'active', deletedTime: null }));
    }
    this.writeMeta(target, experimentToMeta({ ...exp, lifecycleStage: 'active', lastUpdateTime: Date.now() }, true));
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    const name = validateExperimentName(newName);
    const { loc, exp } = this.getExperimentAt(id);
    if (exp.lifecycleStage !== 'active') throw new MlfError('Cannot rename a non-active experiment.', 'INVALID_STATE');
    if (exp.name === name) return;
    this.assertNameFree(name, id);
    this.writeMeta(loc.dir, experimentToMeta({ ...exp, name, lastUpdateTime: Date.now() }, true));
  }

  private activeExperimentOrThrow(experimentId: string): { loc: ExperimentLocation; exp: Experiment } {
    const id = validateExperimentId(experimentId);
    const found = this.getExperimentAt(id);
    if (found.exp.lifecycleStage !== 'active') {
      throw mustBeActive('experiment', id, found.exp.lifecycleStage);
    }
    return found;
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    const t = validateExperimentTag(tag);
    const { loc } = this.activeExperimentOrThrow(experimentId);
    this.writeKeyFile(loc.dir, TAGS, t.key, t.value);
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    const k = validateKeyName(key, 'tag');
    const { loc } = this.activeExperimentOrThrow(experimentId);
    const file = joinInside(path.join(loc.dir, TAGS), k);
    if (this.readKeyFile(loc.dir, TAGS, k) === undefined) {
      throw new MlfError(`No tag with name: ${k} in experiment with id ${loc.id}`, 'RESOURCE_DOES_NOT_EXIST');
    }
    assertWritableInside(this.realRoot, file);
    fs.rmSync(file);
  }

  // ------------------------------------------------------------------ runs: locate and read

  /** Run folders of an experiment: sub-folders except the reserved `tags`, `datasets`, `traces`. */
  private runDirs(loc: ExperimentLocation): string[] {
    return this.listDirs(loc.dir)
      .filter((n) => !RESERVED_EXPERIMENT_FOLDERS.has(n))
      .map((n) => loc.dir + path.sep + n);
  }

  private locateRun(runId: string): RunLocation | undefined {
    const cached = this.runLocations.get(runId);
    if (cached && this.isDirInside(cached.dir)) return cached;
    this.runLocations.delete(runId);
    const scan = (ids: string[], parent: string): RunLocation | undefined => {
      for (const expId of ids) {
        const experimentDir = path.join(parent, expId);
        const dir = path.join(experimentDir, runId);
        if (this.isDirInside(dir)) return { runId, experimentId: expId, experimentDir, dir };
      }
      return undefined;
    };
    const loc = scan(this.activeExperimentIds(), this.root) ?? scan(this.deletedExperimentIds(), this.trash);
    if (loc) this.runLocations.set(runId, loc);
    return loc;
  }

  /** The run's folder and info; `RESOURCE_DOES_NOT_EXIST` if there is no such run. */
  private runAt(runId: string): { loc: RunLocation; info: RunInfo } {
    const id = validateRunId(runId);
    const loc = this.locateRun(id);
    if (!loc) throw RUN_NOT_FOUND(id);
    const file = loc.dir + path.sep + META;
    const text = readText(file);
    let problem: string | undefined;
    const info = text === undefined ? undefined : parseRunMeta(text, (e) => (problem = e));
    if (problem) throw corruptMeta(`Run '${id}'`, file, problem);
    if (!info) throw RUN_NOT_FOUND(id);
    if (info.experimentId !== loc.experimentId) {
      throw new MlfError(`Run '${id}' metadata is in invalid state.`, 'INVALID_STATE');
    }
    return { loc, info };
  }

  private activeRunAt(runId: string): { loc: RunLocation; info: RunInfo } {
    const r = this.runAt(runId);
    if (r.info.lifecycleStage !== 'active') {
      throw mustBeActive('run', r.info.runId, r.info.lifecycleStage);
    }
    return r;
  }

  private readLatestMetrics(runDir: string, experimentId: string): Metric[] {
    const dir = path.join(runDir, METRICS);
    const out: Metric[] = [];
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st || (st.isSymbolicLink() && !realpathInside(this.realRoot, dir))) return out;
    for (const key of listFilesRecursive(dir, this.realRoot)) {
      const text = readTextInside(path.join(dir, key), this.realRoot);
      const m = text === undefined ? undefined : parseLatestMetric(text, key, experimentId);
      if (m) out.push(m);
    }
    return sortByKey(out);
  }

  private readInputs(runDir: string, experimentDir: string): DatasetInput[] {
    const inputsDir = path.join(runDir, INPUTS);
    const datasetsDir = path.join(experimentDir, DATASETS);
    const out: DatasetInput[] = [];
    const names = this.listDirs(inputsDir).sort();
    if (names.length === 0) return out;
    const datasets = new Map<string, Dataset | null>();
    for (const name of names) {
      const meta = this.readMeta(path.join(inputsDir, name));
      if (!meta || meta.source_type !== 'DATASET' || typeof meta.source_id !== 'string') continue;
      const dsId = meta.source_id;
      if (!datasets.has(dsId)) {
        const dsMeta = /^[\w-]+$/.test(dsId) ? this.readMeta(path.join(datasetsDir, dsId)) : null;
        datasets.set(dsId, dsMeta ? datasetFromMeta(dsMeta) : null);
      }
      const dataset = datasets.get(dsId);
      if (!dataset) continue;
      const tagMap = meta.tags && typeof meta.tags === 'object' && !Array.isArray(meta.tags) ? meta.tags : {};
      const tags = Object.entries(tagMap).map(([key, value]) => ({ key, value: value === null ? '' : String(value) }));
      out.push({ tags, dataset });
    }
    return out;
  }

  /** The whole run: info, latest metrics, params, tags (run name filled from the tag if missing), inputs. */
  private loadRun(loc: RunLocation, info: RunInfo): Run {
    const metrics = this.readLatestMetrics(loc.dir, info.experimentId);
    const params = sortByKey(this.readKeyValues(loc.dir, PARAMS));
    const tags = sortByKey(this.readKeyValues(loc.dir, TAGS));
    const runName = info.runName || tags.find((t) => t.key === MLFLOW_RUN_NAME)?.value || '';
    return {
      info: { ...info, runName },
      data: { metrics, params, tags },
      inputs: { datasetInputs: this.readInputs(loc.dir, loc.experimentDir) },
    };
  }

  // ------------------------------------------------------------------ runs: API

  async createRun(opts: CreateRunOptions): Promise<Run> {
    const experimentId = validateExperimentId(opts.experimentId ?? DEFAULT_EXPERIMENT_ID);
    const inputTags = (opts.tags ?? []).map((t, i) => validateTag(t, { path: `tags[${i}]` }));
    const { loc, exp } = this.getExperimentAt(experimentId);
    if (exp.lifecycleStage !== 'active') {
      throw mustBeActive('experiment', experimentId, exp.lifecycleStage);
    }
    const { runName, tags } = resolveRunName(opts.runName, inputTags);
    const runId = newRunId();
    const info: RunInfo = {
      runId,
      runName,
      experimentId,
      userId: opts.userId ?? currentUser(),
      status: 'RUNNING',
      startTime: opts.startTime ?? null,
      endTime: null,
      artifactUri: appendToUri(exp.artifactLocation, runId, ARTIFACTS),
      lifecycleStage: 'active',
      deletedTime: null,
    };
    const dir = joinInside(loc.dir, runId);
    assertWritableInside(this.realRoot, path.join(dir, META));
    fs.mkdirSync(dir);
    this.writeMeta(dir, runInfoToMeta(info));
    for (const sub of [METRICS, PARAMS, ARTIFACTS]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    for (const t of tags) this.writeKeyFile(dir, TAGS, t.key, t.value);
    const runLoc: RunLocation = { runId, experimentId, experimentDir: loc.dir, dir };
    this.runLocations.set(runId, runLoc);
    return this.loadRun(runLoc, info);
  }

  async getRun(runId: string): Promise<Run> {
    const { loc, info } = this.runAt(runId);
    return this.loadRun(loc, info);
  }

  async updateRunInfo(runId: string, opts: UpdateRunOptions): Promise<RunInfo> {
    const status = opts.status === undefined ? undefined : validateRunStatus(opts.status);
    const { loc, info } = this.activeRunAt(runId);
    const next: RunInfo = {
      ...info,
      status: status ?? info.status,
      endTime: opts.endTime ?? info.endTime,
      runName: opts.runName || info.runName,
    };
    if (opts.runName) {
      const tag = validateTag({ key: MLFLOW_RUN_NAME, value: opts.runName });
      this.writeKeyFile(loc.dir, TAGS, tag.key, tag.value);
    }
    this.writeMeta(loc.dir, runInfoToMeta(next));
    return next;
  }

  async deleteRun(runId: string): Promise<void> {
    const { loc, info } = this.runAt(runId);
    this.writeMeta(loc.dir, runInfoToMeta({ ...info, lifecycleStage: 'deleted', deletedTime: Date.now() }));
  }

  async restoreRun(runId: string): Promise<void> {
    const { loc, info } = this.runAt(runId);
    this.writeMeta(loc.dir, runInfoToMeta({ ...info, lifecycleStage: 'active', deletedTime: null }));
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const { metrics, params, tags } = validateLogBatch(runId, batch);
    if (metrics.length + params.length + tags.length === 0) {
      this.activeRunAt(runId);
      return;
    }
    const { loc, info } = this.activeRunAt(runId);
    this.writeBatch(loc, info, metrics, params, tags, 'batch');
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    validateRunId(runId);
    const m = validateMetric(metric);
    const { loc, info } = this.activeRunAt(runId);
    this.writeBatch(loc, info, [m], [], [], 'single');
  }

  async logParam(runId: string, param: Param): Promise<void> {
    validateRunId(runId);
    const p = validateParam(param);
    const { loc, info } = this.activeRunAt(runId);
    this.writeBatch(loc, info, [], [p], [], 'single');
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    validateRunId(runId);
    const t = validateTag(tag);
    const { loc, info } = this.activeRunAt(runId);
    this.writeBatch(loc, info, [], [], [t], 'single');
  }

  /**
   * Writes a validated batch: every param is checked against what is logged before anything is
   * written (so a refused batch leaves no trace), then params, metrics (one append per key) and
   * tags. A `mlflow.runName` tag also renames the run in its meta, as MLflow does.
   */
  private writeBatch(loc: RunLocation, info: RunInfo, metrics: Metric[], params: Param[], tags: RunTag[], kind: 'batch' | 'single'): void {
    const newParams: Param[] = [];
    const conflicts: { key: string; old_value: string; new_value: string }[] = [];
    for (const p of params) {
      const old = this.readKeyFile(loc.dir, PARAMS, p.key);
      if (old === undefined) newParams.push(p);
      else if (old !== p.value) conflicts.push({ key: p.key, old_value: old, new_value: p.value });
    }
    if (conflicts.length > 0) {
      if (kind === 'single') {
        const c = conflicts[0]!;
        throw paramValueChanged(info.runId, c.key, c.old_value, c.new_value);
      }
      throw paramsAlreadyLogged(info.runId, conflicts);
    }
    for (const p of newParams) {
      // Created exclusively: a param another writer logged meanwhile is compared, not overwritten.
      const file = joinInside(loc.dir + path.sep + PARAMS, p.key);
      assertWritableInside(this.realRoot, file);
      const existing = createExclusive(file, p.value);
      if (existing !== undefined && existing !== p.value) {
        throw paramValueChanged(info.runId, p.key, existing, p.value);
      }
    }

    // A point repeated inside one batch is written once (the SQL store keeps one row per point).
    const byKey = new Map<string, string>();
    const seen = new Set<string>();
    for (const m of metrics) {
      const line = metricLine(m);
      if (seen.has(m.key + '\0' + line)) continue;
      seen.add(m.key + '\0' + line);
      byKey.set(m.key, (byKey.get(m.key) ?? '') + line);
    }
    for (const [key, lines] of byKey) {
      const file = joinInside(path.join(loc.dir, METRICS), key);
      assertWritableInside(this.realRoot, file);
      appendLines(file, lines);
    }

    let runName: string | undefined;
    for (const t of tags) {
      this.writeKeyFile(loc.dir, TAGS, t.key, t.value);
      if (t.key === MLFLOW_RUN_NAME) runName = t.value;
    }
    if (runName !== undefined && runName !== info.runName) this.writeMeta(loc.dir, runInfoToMeta({ ...info, runName }));
  }

  /** Replaces `<owner>/<folder>/<key>` (raw value, no newline) by rename. */
  private writeKeyFile(ownerDir: string, folder: string, key: string, value: string): void {
    const file = joinInside(path.join(ownerDir, folder), key);
    assertWritableInside(this.realRoot, file);
    writeAtomic(file, value);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    validateRunId(runId);
    const k = validateKeyName(key, 'tag');
    const { loc, info } = this.activeRunAt(runId);
    if (this.readKeyFile(loc.dir, TAGS, k) === undefined) {
      throw new MlfError(`No tag with name: ${k} in run with id ${info.runId}`, 'RESOURCE_DOES_NOT_EXIST');
    }
    const file = joinInside(path.join(loc.dir, TAGS), k);
    assertWritableInside(this.realRoot, file);
    fs.rmSync(file);
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    validateRunId(runId);
    const inputs = validateDatasetInputs(datasets ?? []);
    const { loc } = this.activeRunAt(runId);
    for (const input of inputs) {
      const d = input.dataset;
      const dsId = datasetId(d.name, d.digest);
      const dsDir = joinInside(loc.experimentDir, DATASETS, dsId);
      if (!fs.existsSync(path.join(dsDir, META))) this.writeMeta(dsDir, datasetToMeta(d));
      const inDir = joinInside(loc.dir, INPUTS, inputId(dsId, loc.runId));
      if (fs.existsSync(path.join(inDir, META))) continue;
      // MLflow writes the dataset id as destination_id too (a slip in `_FileStoreInput`); nothing
      // reads that field, so mlf writes the run id, which is what the field means.
      this.writeMeta(inDir, {
        destination_id: loc.runId,
        destination_type: 'RUN',
        source_id: dsId,
        source_type: 'DATASET',
        tags: Object.fromEntries(input.tags.map((t) => [t.key, t.value])),
      });
    }
  }

  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    validateRunId(runId);
    try {
      JSON.parse(modelJson);
    } catch {
      throw malformedModelJson(modelJson);
    }
    const { loc } = this.activeRunAt(runId);
    const old = this.readKeyFile(loc.dir, TAGS, MLFLOW_LOGGED_MODELS);
    // Splice the new model into the stored JSON list text, keeping earlier entries byte for byte.
    let value = `[${modelJson}]`;
    if (old !== undefined) {
      let list: unknown;
      try {
        list = JSON.parse(old);
      } catch {
        list = undefined;
      }
      if (Array.isArray(list)) {
        const body = old.trim().slice(0, -1).trimEnd();
        value = list.length === 0 ? value : `${body}, ${modelJson}]`;
      }
    }
    this.writeKeyFile(loc.dir, TAGS, MLFLOW_LOGGED_MODELS, value);
  }

  // ------------------------------------------------------------------ metrics

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    validateRunId(runId);
    const k = validateKeyName(key, 'metric');
    const { loc, info } = this.runAt(runId);
    const text = this.readKeyFile(loc.dir, METRICS, k);
    if (text === undefined) return [];
    // The same point logged twice is one point, as in the SQL store (whose primary key is the whole
    // point); MLflow's file store appends both, so duplicates are dropped here, on read.
    const seen = new Set<string>();
    const points = parseMetricHistory(text, k, info.experimentId).filter((m) => {
      const id = `${m.timestamp} ${m.step} ${m.value}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    // Stable: equal (step, timestamp) keep their logging order.
    return points.sort((a, b) => (a.step !== b.step ? a.step - b.step : a.timestamp - b.timestamp));
  }

  async getMetricHistoryBulkInterval(runIds: string[], key: string, opts: BulkIntervalOptions = {}): Promise<MetricWithRunId[]> {
    validateBulkInterval(runIds, opts);
    const histories = new Map<string, Metric[]>();
    for (const id of runIds) histories.set(id, await this.getMetricHistory(id, key));
    const steps = new Set(sampleBulkIntervalSteps([...histories.values()].map((h) => h.map((m) => m.step)), opts));

    const out: MetricWithRunId[] = [];
    for (const id of runIds) {
      const picked = histories
        .get(id)!
        .filter((m) => steps.has(m.step))
        .sort((a, b) => (a.step !== b.step ? a.step - b.step : a.timestamp - b.timestamp))
        .slice(0, BULK_FROM_STEPS_MAX_RESULTS);
      for (const m of picked) out.push({ ...m, runId: id });
    }
    return out;
  }

  // ------------------------------------------------------------------ search

  async searchRuns(opts: SearchRunsOptions): Promise<PagedList<Run>> {
    const maxResults = validateMaxResults(opts.maxResults);
    const filter = parseRunFilter(opts.filter);
    const orderBy = parseRunOrderBy(opts.orderBy);
    const view = opts.viewType ?? 'ACTIVE_ONLY';
    const filterNeeds = searchNeeds(filter, []);
    const orderNeeds = searchNeeds([], orderBy, filterNeeds);
    const experimentIds = (opts.experimentIds ?? []).map((id) => validateExperimentId(id));

    // Partial runs: meta plus only the values the filter and order look at.
    const candidates: { run: Run; loc: RunLocation }[] = [];
    for (const expId of new Set(experimentIds)) {
      const expLoc = this.locateExperiment(expId);
      if (!expLoc) continue;
      for (const dir of this.runDirs(expLoc)) {
        const text = readText(dir + path.sep + META);
        if (text === undefined) continue;
        // A run whose lifecycle cannot match is skipped before parsing (line-anchored, so no
        // quoted value can fake it; anything unusual is decided by the parsed meta below).
        if (view === 'ACTIVE_ONLY' && hasLine(text, 'lifecycle_stage: deleted')) continue;
        if (view === 'DELETED_ONLY' && hasLine(text, 'lifecycle_stage: active')) continue;
        const info = parseRunMeta(text, (e) => this.reportCorrupt(dir + path.sep + META, e));
        if (!info) continue;
        if (info.experimentId !== expId || !stageMatchesView(info.lifecycleStage, view)) continue;
        const loc: RunLocation = { runId: info.runId, experimentId: expId, experimentDir: expLoc.dir, dir };
        const run = this.partialRun(loc, info, filterNeeds);
        if (filter.length > 0 && !runMatches(run, filter)) continue;
        this.addToPartialRun(run, loc, orderNeeds);
        candidates.push({ run, loc });
      }
    }
    const cmp = compareRuns(orderBy);
    candidates.sort((a, b) => cmp(a.run, b.run));
    const page = paginate(candidates, maxResults, opts.pageToken);
    return {
      items: page.items.map(({ run, loc }) => {
        delete loc.readable;
        this.runLocations.set(run.info.runId, loc);
        return this.loadRun(loc, run.info);
      }),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  }

  private runFolderReadable(loc: RunLocation, folder: string): boolean {
    if (loc.readable?.has(folder)) return true;
    if (!this.folderReadable(loc.dir + path.sep + folder)) return false;
    (loc.readable ??= new Set()).add(folder);
    return true;
  }

  /** Adds to a partial run the values `needs` names. */
  private addToPartialRun(run: Run, loc: RunLocation, needs: SearchNeeds): void {
    const { data } = run;
    if (needs.metrics.size > 0 && this.runFolderReadable(loc, METRICS)) {
      for (const key of needs.metrics) {
        const text = this.readKeyFile(loc.dir, METRICS, key, true);
        const m = text === undefined ? undefined : parseLatestMetric(text, key, run.info.experimentId);
        if (m) data.metrics.push(m);
      }
    }
    if (needs.params.size > 0 && this.runFolderReadable(loc, PARAMS)) {
      for (const key of needs.params) {
        const value = this.readKeyFile(loc.dir, PARAMS, key, true);
        if (value !== undefined) data.params.push({ key, value });
      }
    }
    if (needs.tags.size > 0 && this.runFolderReadable(loc, TAGS)) {
      for (const key of needs.tags) {
        const value = this.readKeyFile(loc.dir, TAGS, key, true);
        if (value !== undefined) data.tags.push({ key, value });
      }
    }
    if (needs.inputs) run.inputs.datasetInputs = this.readInputs(loc.dir, loc.experimentDir);
  }

  private partialRun(loc: RunLocation, info: RunInfo, needs: SearchNeeds): Run {
    const run: Run = { info, data: { metrics: [], params: [], tags: [] }, inputs: { datasetInputs: [] } };
    // Runs written by MLflow always carry run_name in meta; very old ones only have the tag.
    if (!info.runName) run.info = { ...info, runName: this.readKeyFile(loc.dir, TAGS, MLFLOW_RUN_NAME) ?? '' };
    this.addToPartialRun(run, loc, needs);
    return run;
  }

  // ------------------------------------------------------------------ gc

  async purgeRuns(runIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
    const found: { loc: RunLocation; info: RunInfo }[] = [];
    const seen = new Set<string>();
    for (const raw of runIds) {
      const id = validateRunId(raw);
      if (seen.has(id)) continue;
      seen.add(id);
      const loc = this.locateRun(id);
      if (!loc) continue; // already gone: purging is idempotent
      const meta = this.readMeta(loc.dir);
      const info = meta ? runInfoFromMeta(meta) : undefined;
      if (info && info.lifecycleStage !== 'deleted') throw invalidParameter(runNotDeletedMessage(id));
      found.push({ loc, info: info ?? ({ runId: id } as RunInfo) });
    }
    const rows: Record<string, number> = { runs: 0 };
    for (const { loc } of found) countRunFiles(loc.dir, rows);
    if (!opts.dryRun) {
      for (const { loc } of found) {
        assertWritableInside(this.realRoot, loc.dir);
        fs.rmSync(loc.dir, { recursive: true, force: true });
        this.runLocations.delete(loc.runId);
      }
    }
    return { runIds: found.map((f) => f.loc.runId), experimentIds: [], rows };
  }

  async purgeExperiments(experimentIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
    const targets: ExperimentLocation[] = [];
    const notDeleted: string[] = [];
    for (const raw of new Set(experimentIds)) {
      const id = validateExperimentId(raw);
      const active = this.locateExperiment(id, 'ACTIVE_ONLY');
      if (active) {
        const exp = this.readExperiment(active);
        // An experiment left in the root with a deleted meta (an interrupted delete) still counts as deleted.
        if (!exp || exp.lifecycleStage !== 'deleted') {
          notDeleted.push(id);
          continue;
        }
        targets.push(active);
      }
      const trashed = this.locateExperiment(id, 'DELETED_ONLY');
      if (trashed) targets.push(trashed);
    }
    if (notDeleted.length > 0) throw invalidParameter(experimentsNotDeletedMessage(notDeleted));
    const rows: Record<string, number> = { experiments: 0, experiment_tags: 0, datasets: 0, runs: 0, traces: 0 };
    const runIds: string[] = [];
    const artifacts: NonNullable<PurgeResult['artifacts']> = [];
    for (const loc of targets) {
      rows.experiments! += 1;
      const traces = tracesOfExperimentFolder(loc.dir, this.realRoot);
      rows.traces! += traces.count;
      artifacts.push(...traces.artifacts);
      rows.experiment_tags! += listFilesRecursive(path.join(loc.dir, TAGS), this.realRoot).length;
      rows.datasets! += this.listDirs(path.join(loc.dir, DATASETS)).length;
      for (const dir of this.runDirs(loc)) {
        if (!fs.existsSync(path.join(dir, META))) continue;
        runIds.push(path.basename(dir));
        countRunFiles(dir, rows);
      }
    }
    if (!opts.dryRun) {
      for (const loc of targets) {
        assertWritableInside(this.realRoot, loc.dir);
        fs.rmSync(loc.dir, { recursive: true, force: true });
      }
      for (const id of runIds) this.runLocations.delete(id);
    }
    return { runIds, experimentIds: [...new Set(targets.map((t) => t.id))], rows, artifacts };
  }
}

// ---------------------------------------------------------------------- helpers

/**
 * Run meta text → RunInfo: the hot-path reader, or the general YAML reader when it is unsure.
 * A file that is not a run's metadata is undefined, and `onError` hears why.
 */
function parseRunMeta(text: string, onError?: (error: string) => void): RunInfo | undefined {
  const fast = runInfoFromMetaText(text);
  if (fast) return fast;
  const r = parseMeta(text);
  if ('error' in r) {
    onError?.(r.error);
    return undefined;
  }
  if (r.meta.experiment_id === undefined) {
    onError?.('no experiment_id');
    return undefined;
  }
  return runInfoFromMeta(r.meta);
}

/** A meta.yaml's mapping, or the YAML error (its first line) when it is not one. */
function parseMeta(text: string): { meta: YamlMap } | { error: string } {
  try {
    const meta = parseYaml(text);
    return meta ? { meta } : { error: text.trim() === '' ? 'the file is empty' : 'not a YAML mapping' };
  } catch (e) {
    return { error: String((e as Error)?.message ?? e).split('\n')[0]! };
  }
}

function corruptMeta(what: string, file: string, problem: string): MlfError {
  return new MlfError(`${what} metadata is corrupt: ${file}: ${problem}`, 'INVALID_STATE');
}

function warnOnStderr(message: string): void {
  process.stderr.write(`Warning: ${message}\n`);
}

function hasLine(text: string, line: string): boolean {
  return text.startsWith(line + '\n') || text.includes('\n' + line + '\n');
}

/** Files per run sub-folder (`metrics`, `params`, `tags`, `inputs`, `artifacts`), and one per run. */
function countRunFiles(dir: string, rows: Record<string, number>): void {
  rows.runs = (rows.runs ?? 0) + 1;
  for (const e of readEntries(dir)) {
    if (!e.isDirectory()) continue;
    rows[e.name] = (rows[e.name] ?? 0) + countFiles(path.join(dir, e.name));
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += countFiles(path.join(dir, e.name));
    else if (!isTempName(e.name)) n++;
  }
  return n;
}

/**
 * The metric, param and tag files (and whether inputs) a filter and order read, minus what `have`
 * already holds. Keys that are not valid key names cannot exist as files and are left out (they
 * simply never match), so a filter string never becomes an arbitrary path.
 */
function searchNeeds(filter: Comparison[], orderBy: OrderByClause[], have?: SearchNeeds): SearchNeeds {
  const needs: SearchNeeds = { metrics: new Set(), params: new Set(), tags: new Set(), inputs: false };
  const add = (type: string, key: string) => {
    if (type === 'dataset') {
      needs.inputs = !have?.inputs;
      return;
    }
    if (type !== 'metric' && type !== 'param' && type !== 'tag') return;
    const set = type === 'metric' ? needs.metrics : type === 'param' ? needs.params : needs.tags;
    const had = type === 'metric' ? have?.metrics : type === 'param' ? have?.params : have?.tags;
    if (had?.has(key) || !isFileKey(key)) return;
    set.add(key);
  };
  // `run_name` is read from meta.yaml (kept equal to the `mlflow.runName` tag); `dataset.context`
  // is an input tag, carried by the inputs.
  for (const c of filter) add(c.type, c.key);
  for (const o of orderBy) add(o.type, o.key);
  return needs;
}

function isFileKey(key: string): boolean {
  try {
    validateKeyName(key, 'param');
    return true;
  } catch {
    return false;
  }
}

/** MLflow's `resolve_uri_if_local`: a relative path or `file:` URI becomes absolute; other URIs stay. */
function resolveLocalUri(uri: string): string {
  const scheme = uriScheme(uri);
  if (scheme === '') return path.resolve(uri);
  if (scheme === 'file') {
    const rest = uri.slice('file:'.length);
    return rest.startsWith('/') ? uri : pathToFileUri(fileUriToPath(uri));
  }
  return uri;
}

/** A folder MLflow's file store has written: its trash folder or an experiment's meta.yaml. */
function looksLikeFileStore(root: string): boolean {
  if (fs.existsSync(path.join(root, '.trash'))) return true;
  return fs.readdirSync(root, { withFileTypes: true }).some((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, META)));
}

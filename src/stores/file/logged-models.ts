/**
 * Logged models in a file store, laid out as MLflow 3's file store does:
 * `<experiment folder>/models/<model_id>/` with `meta.yaml` (the model's info, status as its proto
 * number), `params/<key>`, `tags/<key>` (raw values) and `metrics/<name>` (one line per point:
 * `<timestamp> <value> <step> <run_id> <dataset_name> <dataset_digest>`, empty names written `None`).
 * Search reads every model of the asked experiments and filters, sorts and pages in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KeyValue, PagedList } from '../../tracking/entities.js';
import {
  LOGGED_MODEL_STATUS_CODES,
  loggedModelStatusFromCode,
  modelArtifactUri,
  modelNotFound,
  modelTagNotFound,
  newLoggedModelId,
  checkCreateLoggedModel,
  loggedModelColumns,
  modelParamsTaken,
  validateFinalStatus,
  validateModelKeyValues,
  type CreateLoggedModelOptions,
  type LoggedModel,
  type LoggedModelMetric,
  type LoggedModelStatus,
  type LoggedModelStore,
  type RunModelLinks,
  type SearchLoggedModelsOptions,
} from '../../tracking/logged-models.js';
import { checkLoggedModelSearch, loggedModelAttribute, type LoggedModelComparison } from '../../tracking/search/logged-models.js';
import { likeToRegExp } from '../../tracking/search/parse.js';
import { mustBeActive } from '../../tracking/messages.js';
import { generateRandomRunName } from '../common.js';
import { joinInside, listFilesRecursive, readText, writeAtomic } from './fs-io.js';
import { dumpYaml, parseYaml, type YamlMap } from './meta-yaml.js';
import { META, METRICS, MODELS, PARAMS, TAGS, TRASH } from './layout.js';
import { readRunLinks, writeRunModelInputs, writeRunOutputs } from './run-links.js';

/** What the model code needs of the file store. */
export interface FileStoreAccess {
  root: string;
  getExperiment(id: string): Promise<{ experimentId: string; artifactLocation: string; lifecycleStage: string }>;
  /** A run's folder and stage; RESOURCE_DOES_NOT_EXIST when there is no such run. */
  runFolder(runId: string): { dir: string; lifecycleStage: string };
}

const isModelId = (id: string) => /^m-[0-9a-zA-Z]+$/.test(id);

/** Experiment folders, active then deleted (models of deleted experiments stay readable). */
function experimentDirs(root: string): string[] {
  const out: string[] = [];
  for (const parent of [root, path.join(root, TRASH)]) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== TRASH && e.name !== MODELS).map((e) => e.name);
    } catch {
      /* no such folder */
    }
    for (const n of names) out.push(path.join(parent, n));
  }
  return out;
}

/** The folder of a model (active or deleted) under a file store root, or undefined. */
export function modelFolder(root: string, modelId: string): string | undefined {
  if (!isModelId(modelId)) return undefined;
  for (const exp of experimentDirs(root)) {
    const dir = path.join(exp, MODELS, modelId);
    if (fs.existsSync(path.join(dir, META))) return dir;
  }
  return undefined;
}

export class FileLoggedModels implements LoggedModelStore {
  constructor(private readonly store: FileStoreAccess) {}

  private modelDir(modelId: string): string | undefined {
    return modelFolder(this.store.root, modelId);
  }

  private read(dir: string): LoggedModel | undefined {
    const text = readText(path.join(dir, META));
    const meta = text === undefined ? null : parseYaml(text);
    if (!meta || typeof meta.model_id !== 'string') return undefined;
    const s = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));
    const kv = (folder: string): KeyValue[] => {
      const base = path.join(dir, folder);
      if (!fs.existsSync(base)) return [];
      return listFilesRecursive(base, fs.realpathSync.native(this.store.root))
        .sort()
        .map((key) => ({ key, value: readText(path.join(base, key)) ?? '' }));
    };
    const metrics: LoggedModelMetric[] = [];
    const mdir = path.join(dir, METRICS);
    if (fs.existsSync(mdir)) {
      for (const key of listFilesRecursive(mdir, fs.realpathSync.native(this.store.root)).sort()) {
        for (const line of (readText(path.join(mdir, key)) ?? '').split('\n')) {
          const f = line.trim().split(' ');
          if (f.length < 4) continue;
          const none = (x: string | undefined) => (x === undefined || x === 'None' ? undefined : x);
          metrics.push({ key, timestamp: Number(f[0]), value: Number(f[1]), step: Number(f[2]), runId: f[3]!, modelId: meta.model_id, datasetName: none(f[4]), datasetDigest: none(f[5]) });
        }
      }
    }
    return {
      info: {
        modelId: meta.model_id,
        experimentId: String(meta.experiment_id),
        name: String(meta.name),
        creationTimestampMs: Number(meta.creation_timestamp),
        lastUpdatedTimestampMs: Number(meta.last_updated_timestamp),
        artifactUri: String(meta.artifact_location),
        status: loggedModelStatusFromCode(Number(meta.status)),
        modelType: s(meta.model_type),
        sourceRunId: s(meta.source_run_id),
        statusMessage: s(meta.status_message),
        tags: kv(TAGS),
      },
      data: { params: kv(PARAMS), metrics },
    };
  }

  /** Every model of every experiment folder, deleted ones too, one at a time (for `mlf db import`). */
  *everyModel(): Iterable<{ model: LoggedModel; lifecycleStage: string }> {
    for (const exp of experimentDirs(this.store.root)) {
      let ids: string[] = [];
      try {
        ids = fs.readdirSync(path.join(exp, MODELS)).filter(isModelId).sort();
      } catch {
        continue; // no models/ folder
      }
      for (const id of ids) {
        const dir = path.join(exp, MODELS, id);
        const model = this.read(dir);
        if (model) yield { model, lifecycleStage: this.lifecycle(dir) };
      }
    }
  }

  private lifecycle(dir: string): string {
    const meta = parseYaml(readText(path.join(dir, META)) ?? '');
    return String(meta?.lifecycle_stage ?? 'active');
  }

  /** The folder of an active model, or RESOURCE_DOES_NOT_EXIST. */
  private activeDir(modelId: string): string {
    const dir = this.modelDir(modelId);
    if (!dir || this.lifecycle(dir) === 'deleted') throw modelNotFound(modelId);
    return dir;
  }

  private updateMeta(dir: string, change: YamlMap): void {
    const meta = parseYaml(readText(path.join(dir, META)) ?? '') ?? {};
    writeAtomic(path.join(dir, META), dumpYaml({ ...meta, ...change, last_updated_timestamp: Date.now() }));
  }

  private writeKeys(dir: string, folder: string, items: KeyValue[]): void {
    for (const kv of items) {
      const file = joinInside(path.join(dir, folder), kv.key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeAtomic(file, kv.value);
    }
  }

  async create(opts: CreateLoggedModelOptions): Promise<LoggedModel> {
    const { params, tags } = checkCreateLoggedModel(opts);
    const exp = await this.store.getExperiment(opts.experimentId);
    if (exp.lifecycleStage !== 'active') throw mustBeActive('experiment', opts.experimentId, exp.lifecycleStage);
    const modelId = newLoggedModelId();
    const dir = joinInside(this.store.root, exp.experimentId, MODELS, modelId);
    fs.mkdirSync(dir, { recursive: true });
    const now = Date.now();
    writeAtomic(
      path.join(dir, META),
      dumpYaml({
        artifact_location: modelArtifactUri(exp.artifactLocation, modelId),
        creation_timestamp: now,
        experiment_id: exp.experimentId,
        last_updated_timestamp: now,
        lifecycle_stage: 'active',
        model_id: modelId,
        model_type: opts.modelType ?? null,
        name: opts.name ?? generateRandomRunName(),
        source_run_id: opts.sourceRunId ?? null,
        status: LOGGED_MODEL_STATUS_CODES.LOGGED_MODEL_PENDING,
        status_message: null,
      }),
    );
    this.writeKeys(dir, PARAMS, params);
    this.writeKeys(dir, TAGS, tags);
    return this.read(dir)!;
  }

  async get(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    const dir = this.modelDir(modelId);
    const m = dir && (allowDeleted || this.lifecycle(dir) !== 'deleted') ? this.read(dir) : undefined;
    if (!m) throw modelNotFound(modelId);
    return m;
  }

  async finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    validateFinalStatus(status);
    const dir = this.activeDir(modelId);
    this.updateMeta(dir, { status: LOGGED_MODEL_STATUS_CODES[status] });
    return this.read(dir)!;
  }

  async delete(modelId: string): Promise<void> {
    this.updateMeta(this.activeDir(modelId), { lifecycle_stage: 'deleted' });
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    validateModelKeyValues('tags', tags);
    this.writeKeys(this.activeDir(modelId), TAGS, tags);
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    const dir = this.activeDir(modelId);
    let file: string;
    try {
      file = joinInside(path.join(dir, TAGS), key);
    } catch {
      throw modelTagNotFound(modelId, key);
    }
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw modelTagNotFound(modelId, key);
    fs.rmSync(file);
  }

  async logParams(modelId: string, params: KeyValue[]): Promise<void> {
    validateModelKeyValues('params', params);
    const dir = this.activeDir(modelId);
    const taken = params.filter((p) => fs.existsSync(joinInside(path.join(dir, PARAMS), p.key)));
    if (taken.length) throw modelParamsTaken(modelId, taken.map((t) => t.key));
    this.writeKeys(dir, PARAMS, params);
  }

  /** Appends metric points (the run side writes them when a metric names a model). */
  appendMetrics(modelId: string, points: LoggedModelMetric[]): void {
    const dir = this.modelDir(modelId);
    if (!dir) throw modelNotFound(modelId);
    for (const m of points) {
      const file = joinInside(path.join(dir, METRICS), m.key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.appendFileSync(file, `${m.timestamp} ${m.value} ${m.step} ${m.runId} ${m.datasetName || 'None'} ${m.datasetDigest || 'None'}\n`);
    }
  }

  async search(opts: SearchLoggedModelsOptions): Promise<PagedList<LoggedModel>> {
    const { datasets, maxResults, comparisons, orderBy, offset, page } = checkLoggedModelSearch(opts);

    const wanted = new Set(opts.experimentIds);
    const models: LoggedModel[] = [];
    for (const exp of experimentDirs(this.store.root)) {
      if (!wanted.has(path.basename(exp))) continue;
      const base = path.join(exp, MODELS);
      let ids: string[] = [];
      try {
        ids = fs.readdirSync(base).filter(isModelId);
      } catch {
        continue;
      }
      for (const id of ids) {
        const dir = path.join(base, id);
        if (this.lifecycle(dir) === 'deleted') continue;
        const m = this.read(dir);
        if (m) models.push(m);
      }
    }
    const onDataset = (p: LoggedModelMetric) => !datasets.length || datasets.some((d) => p.datasetName === d.datasetName && (!d.datasetDigest || p.datasetDigest === d.datasetDigest));
    const hasMetricFilter = comparisons.some((c) => c.entity === 'metric');
    const hits = models.filter(
      (m) => comparisons.every((c) => matches(m, c, onDataset)) && (!datasets.length || hasMetricFilter || m.data.metrics.some(onDataset)),
    );
    hits.sort(compareModels(orderBy));
    return page(hits.slice(offset, offset + maxResults), offset + maxResults < hits.length);
  }

  /** The folder of an active run (MLflow's `check_run_is_active`). */
  private activeRunDir(runId: string): string {
    const run = this.store.runFolder(runId);
    if (run.lifecycleStage !== 'active') throw mustBeActive('run', runId, run.lifecycleStage);
    return run.dir;
  }

  async logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<void> {
    writeRunOutputs(this.activeRunDir(runId), models, this.realRoot);
  }

  async logModelInputs(runId: string, modelIds: string[]): Promise<void> {
    writeRunModelInputs(this.activeRunDir(runId), runId, modelIds, this.realRoot);
  }

  async runLinks(runIds: string[]): Promise<Map<string, RunModelLinks>> {
    const out = new Map<string, RunModelLinks>();
    for (const runId of runIds) {
      let dir: string;
      try {
        dir = this.store.runFolder(runId).dir;
      } catch {
        continue; // gone meanwhile: the run itself answers for that
      }
      const links = readRunLinks(dir);
      if (links.inputs.length || links.outputs.length) out.set(runId, links);
    }
    return out;
  }

  private get realRoot(): string {
    return (this.realRootCache ??= fs.realpathSync.native(this.store.root));
  }
  private realRootCache?: string;
}

/** Searches see active models only. */
function attributeValue(m: LoggedModel, key: string): string | number | undefined {
  return loggedModelColumns(m, 'active')[key] ?? undefined;
}

function compare(actual: string | number | undefined, c: LoggedModelComparison): boolean {
  if (actual === undefined) return false;
  let want = c.value;
  if (typeof actual === 'number' && typeof want === 'string') {
    // Integer attributes (status, experiment id) are compared as numbers; a status may be given by name.
    want = want in LOGGED_MODEL_STATUS_CODES ? LOGGED_MODEL_STATUS_CODES[want as LoggedModelStatus] : Number(want);
  }
  switch (c.op) {
    case '=':
      return actual === want || String(actual) === String(want);
    case '!=':
      return String(actual) !== String(want);
    case 'LIKE':
      return likeToRegExp(String(want), false).test(String(actual));
    case 'ILIKE':
      return likeToRegExp(String(want), true).test(String(actual));
    case '<':
      return actual < want;
    case '<=':
      return actual <= want;
    case '>':
      return actual > want;
    case '>=':
      return actual >= want;
  }
}

function matches(m: LoggedModel, c: LoggedModelComparison, onDataset: (p: LoggedModelMetric) => boolean): boolean {
  switch (c.entity) {
    case 'attribute':
      return compare(attributeValue(m, c.key), c);
    case 'metric':
      return m.data.metrics.some((p) => p.key === c.key && onDataset(p) && compare(p.value, c));
    case 'param':
      return m.data.params.some((p) => p.key === c.key && compare(p.value, c));
    case 'tag':
      return m.info.tags.some((t) => t.key === c.key && compare(t.value, c));
  }
}

/** The latest point of a metric (by timestamp, then step), optionally on one dataset. */
function latestMetric(m: LoggedModel, key: string, datasetName?: string, datasetDigest?: string): number | undefined {
  let best: LoggedModelMetric | undefined;
  for (const p of m.data.metrics) {
    if (p.key !== key || (datasetName && p.datasetName !== datasetName) || (datasetDigest && p.datasetDigest !== datasetDigest)) continue;
    if (!best || p.timestamp > best.timestamp || (p.timestamp === best.timestamp && p.step > best.step)) best = p;
  }
  return best?.value;
}

/** The SQL store's order: each field with missing values last, then creation time DESC, then model id. */
function compareModels(orderBy: NonNullable<SearchLoggedModelsOptions['orderBy']>): (a: LoggedModel, b: LoggedModel) => number {
  const keys = orderBy.map((o) => {
    const get = o.fieldName.startsWith('metrics.')
      ? (m: LoggedModel) => latestMetric(m, o.fieldName.slice('metrics.'.length), o.datasetName, o.datasetDigest)
      : (m: LoggedModel) => attributeValue(m, loggedModelAttribute(o.fieldName));
    return { get, asc: o.ascending };
  });
  if (!orderBy.some((o) => !o.fieldName.includes('.') && loggedModelAttribute(o.fieldName) === 'creation_timestamp_ms')) {
    keys.push({ get: (m) => m.info.creationTimestampMs, asc: false });
  }
  keys.push({ get: (m) => m.info.modelId, asc: true });
  return (a, b) => {
    for (const k of keys) {
      const x = k.get(a);
      const y = k.get(b);
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const d = x < y ? -1 : 1;
      return k.asc ? d : -d;
    }
    return 0;
  };
}

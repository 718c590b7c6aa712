/**
 * Reads an `mlruns` folder for `mlf db import`, one run at a time: nothing is held beyond the batch
 * being written. Uses the file store's own layout readers, so values come out as MLflow wrote them.
 *
 * A `meta.yaml` that cannot be read is an error naming its path; with `skipBroken` the experiment or
 * run is left out and listed in `skipped` instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../lib/errors.js';
import type { Dataset, DatasetInput, Experiment, KeyValue, Metric, RunInfo } from '../tracking/entities.js';
import { DATASETS, INPUTS, META, METRICS, MODELS, PARAMS, RESERVED_EXPERIMENT_FOLDERS, TAGS, TRASH, datasetFromMeta, experimentFromMeta, runInfoFromMeta } from '../stores/file/layout.js';
import { loadYamlFallback, parseYaml, type YamlMap } from '../stores/file/meta-yaml.js';
import { parseMetricHistory } from '../stores/file/metric-file.js';
import { isTempName, readEntries } from '../stores/file/fs-io.js';
import { fileTraceRows } from './file-traces.js';
import { FileModelSource } from './file-models.js';
import { runLinkRows } from './file-links.js';
import { MAX_BATCH_POINTS, inputKeys, type ImportSource, type RunKeys, type SourceRun, type TableCount, type TableRows } from './model.js';

interface ExperimentDir {
  id: string;
  dir: string;
}

export class FileSource implements ImportSource {
  readonly kind = 'file' as const;
  readonly skipped: string[] = [];
  private readonly dirs = new Map<string, string>();

  private constructor(
    private readonly root: string,
    private readonly skipBroken: boolean,
  ) {}

  /** Refuses a folder that is not an MLflow file store (no experiment folder with a meta.yaml). */
  static async open(root: string, opts: { skipBroken?: boolean } = {}): Promise<FileSource> {
    await loadYamlFallback();
    const st = fs.statSync(root, { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw new MlfError(`Source '${root}' is not a folder or a database URI.`, 'INVALID_PARAMETER_VALUE');
    const src = new FileSource(root, !!opts.skipBroken);
    const looksLikeStore = src.experimentDirs().some((e) => fs.existsSync(path.join(e.dir, META)));
    if (!looksLikeStore) throw new MlfError(`Source '${root}' is not an MLflow tracking store: no experiment folder with a meta.yaml.`, 'INVALID_PARAMETER_VALUE');
    return src;
  }

  private experimentDirs(): ExperimentDir[] {
    const list = (dir: string) => subdirs(dir).map((id) => ({ id, dir: path.join(dir, id) }));
    return [...list(this.root).filter((e) => e.id !== TRASH && e.id !== MODELS), ...list(path.join(this.root, TRASH))];
  }

  /** meta.yaml as a map; a broken one throws (or is recorded and skipped). Undefined when skipped or absent. */
  private meta(dir: string): YamlMap | undefined {
    const file = path.join(dir, META);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return this.broken(file, 'cannot be read');
    }
    let map: YamlMap | null = null;
    try {
      map = parseYaml(text);
    } catch {
      map = null;
    }
    if (!map) return this.broken(file, 'is not valid YAML');
    return map;
  }

  private broken(file: string, why: string): undefined {
    if (!this.skipBroken) throw new MlfError(`Corrupt source: ${file} ${why} (use --skip-broken to leave it out and go on).`, 'DATA_LOSS');
    this.skipped.push(file);
    return undefined;
  }

  async *experiments(): AsyncIterable<Experiment> {
    for (const e of this.experimentDirs()) {
      if (!fs.existsSync(path.join(e.dir, META))) continue; // a stray folder, as MLflow ignores it
      const meta = this.meta(e.dir);
      if (!meta) continue;
      const exp = experimentFromMeta(meta);
      if (exp.experimentId !== e.id) {
        this.broken(path.join(e.dir, META), `names experiment ${exp.experimentId}, not ${e.id}`);
        continue;
      }
      this.dirs.set(e.id, e.dir);
      yield { ...exp, tags: keyValues(path.join(e.dir, TAGS)) };
    }
  }

  async datasets(experimentId: string): Promise<Dataset[]> {
    const dir = path.join(this.expDir(experimentId), DATASETS);
    const out: Dataset[] = [];
    for (const id of subdirs(dir)) {
      const meta = this.meta(path.join(dir, id));
      if (meta) out.push(datasetFromMeta(meta));
    }
    return out;
  }

  private expDir(experimentId: string): string {
    const dir = this.dirs.get(experimentId);
    if (!dir) throw new MlfError(`Experiment ${experimentId} was not listed by this source.`, 'INTERNAL_ERROR');
    return dir;
  }

  private runDirs(experimentId: string): string[] {
    const dir = this.expDir(experimentId);
    return subdirs(dir)
      .filter((n) => !RESERVED_EXPERIMENT_FOLDERS.has(n) && fs.existsSync(path.join(dir, n, META)))
      .sort()
      .map((n) => path.join(dir, n));
  }

  private runInfo(dir: string, experimentId: string): RunInfo | undefined {
    const meta = this.meta(dir);
    if (!meta) return undefined;
    const info = runInfoFromMeta(meta);
    if (info.runId !== path.basename(dir) || info.experimentId !== experimentId) {
      return this.broken(path.join(dir, META), `names run ${info.runId} of experiment ${info.experimentId}`);
    }
    return info;
  }

  async *runHeads(experimentId: string): AsyncIterable<Pick<RunInfo, 'runId' | 'experimentId' | 'startTime'>> {
    const was = this.skipped.length;
    for (const dir of this.runDirs(experimentId)) {
      const info = this.runInfo(dir, experimentId);
      if (info) yield { runId: info.runId, experimentId, startTime: info.startTime };
    }
    this.skipped.length = was; // the full read below records them once
  }

  async *runKeys(experimentId: string): AsyncIterable<RunKeys> {
    for (const dir of this.runDirs(experimentId)) {
      const keys = (sub: string) => filesUnder(path.join(dir, sub));
      const inputs = this.inputs(dir, experimentId).map(inputKeys);
      yield { runId: path.basename(dir), params: keys(PARAMS), tags: keys(TAGS), metrics: keys(METRICS), inputs };
    }
  }

  async *runs(experimentId: string, batchSize: number): AsyncIterable<SourceRun[]> {
    let batch: SourceRun[] = [];
    let points = 0;
    for (const dir of this.runDirs(experimentId)) {
      const info = this.runInfo(dir, experimentId);
      if (!info) continue;
      const tags = keyValues(path.join(dir, TAGS));
      // MLflow's file store fills a missing run name from the tag.
      if (!info.runName) info.runName = tags.find((t) => t.key === 'mlflow.runName')?.value ?? '';
      const metrics = this.metrics(dir, experimentId);
      batch.push({ info, tags, params: keyValues(path.join(dir, PARAMS)), metrics, inputs: this.inputs(dir, experimentId) });
      points += metrics.length;
      // Runs with long histories make big batches: cap the points held at once as well.
      if (batch.length >= batchSize || points >= MAX_BATCH_POINTS) {
        yield batch;
        batch = [];
        points = 0;
      }
    }
    if (batch.length) yield batch;
  }

  private metrics(runDir: string, experimentId: string): Metric[] {
    const dir = path.join(runDir, METRICS);
    const out: Metric[] = [];
    for (const key of filesUnder(dir)) {
      const text = fs.readFileSync(path.join(dir, key), 'utf8');
      for (const m of parseMetricHistory(text, key, experimentId)) out.push(m);
    }
    return out;
  }

  private inputs(runDir: string, experimentId: string): DatasetInput[] {
    const dir = path.join(runDir, INPUTS);
    const dsDir = path.join(this.expDir(experimentId), DATASETS);
    const out: DatasetInput[] = [];
    for (const id of subdirs(dir).sort()) {
      const meta = this.meta(path.join(dir, id));
      if (!meta || meta.source_type !== 'DATASET' || typeof meta.source_id !== 'string') continue;
      const dsMeta = this.meta(path.join(dsDir, meta.source_id));
      if (!dsMeta) continue;
      const tagMap = meta.tags && typeof meta.tags === 'object' && !Array.isArray(meta.tags) ? meta.tags : {};
      const tags = Object.entries(tagMap).map(([key, value]) => ({ key, value: value === null ? '' : String(value) }));
      out.push({ tags, dataset: datasetFromMeta(dsMeta) });
    }
    return out;
  }

  /**
   * Logged models (MLflow 3's `models/` folders in experiments), the runs' links to them, then
   * traces; the registry has no file layout here. Only experiments (and runs) listed are read, so
   * what --skip-broken left out brings nothing along. `only`: just these tables.
   */
  async *extraTables(batchSize: number, only?: Set<string>): AsyncIterable<TableRows> {
    const want = (t: string) => !only || only.has(t);
    yield* new FileModelSource(this.root, this.listedIds()).tables(batchSize, only);
    if (want('inputs')) yield* this.linkRows(batchSize);
    if (want('trace_info') || want('trace_tags') || want('trace_request_metadata')) {
      for await (const t of fileTraceRows(this.root, this.listedDirs(), batchSize)) if (want(t.table)) yield t;
    }
  }

  async tableCounts(): Promise<Map<string, TableCount>> {
    const out = await new FileModelSource(this.root, this.listedIds()).counts();
    const links: TableCount = { total: 0, byRun: new Map() };
    for await (const { rows } of this.linkRows(1000)) {
      links.total += rows.length;
      for (const r of rows) links.byRun!.set(r.source_id as string, (links.byRun!.get(r.source_id as string) ?? 0) + 1);
    }
    if (links.total) out.set('inputs', links);
    // Traces per experiment (a trace left out shows there), tags and request metadata in total.
    for await (const { table, rows } of fileTraceRows(this.root, this.listedDirs(), 1000)) {
      const c = out.get(table) ?? out.set(table, { total: 0, ...(table === 'trace_info' ? { byExperiment: new Map<string, number>() } : {}) }).get(table)!;
      c.total += rows.length;
      for (const r of c.byExperiment ? rows : []) c.byExperiment!.set(String(r.experiment_id), (c.byExperiment!.get(String(r.experiment_id)) ?? 0) + 1);
    }
    return out;
  }

  /** Rows holding a value other than NULL or the column's default, for columns a target lacks (see model.ts). */
  async nonDefaultColumns(table: string, have: Set<string>): Promise<string[]> {
    const defaults = FILE_ROW_DEFAULTS[table] ?? {};
    const found = new Set<string>();
    for await (const t of this.extraTables(1000, new Set([table]))) {
      for (const r of t.rows) {
        for (const [c, v] of Object.entries(r)) if (!have.has(c) && v != null && v !== defaults[c]) found.add(c);
      }
    }
    return [...found];
  }

  private listedIds(): Set<string> {
    return new Set(this.dirs.keys());
  }

  private listedDirs(): ExperimentDir[] {
    return [...this.dirs].map(([id, dir]) => ({ id, dir }));
  }

  /** The `inputs` rows of every listed run's model links. */
  private async *linkRows(batchSize: number): AsyncIterable<TableRows> {
    let rows: Record<string, unknown>[] = [];
    for (const id of this.dirs.keys()) {
      for await (const h of this.runHeads(id)) {
        rows.push(...runLinkRows(path.join(this.expDir(id), h.runId), h.runId));
        if (rows.length >= batchSize) {
          yield { table: 'inputs', rows };
          rows = [];
        }
      }
    }
    if (rows.length) yield { table: 'inputs', rows };
  }

  async close(): Promise<void> {}
}

/**
 * Columns of the rows above that a revision added after their table's first one, with MLflow's
 * default: the step of a run's model output (`inputs.step`, MLflow 3.0). Every other column these
 * rows carry is as old as its table.
 */
const FILE_ROW_DEFAULTS: Record<string, Record<string, unknown>> = { inputs: { step: 0 } };

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false })?.isDirectory()))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Files under `dir`, as keys relative to it ('/' for nested keys such as `a/b`). */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readEntries(dir)) {
    if (e.isDirectory()) out.push(...filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`));
    else if (!isTempName(e.name)) out.push(prefix + e.name);
  }
  return out;
}

/** Param or tag files: the key is the path, the value the file's text. */
function keyValues(dir: string): KeyValue[] {
  return filesUnder(dir).map((key) => ({ key, value: fs.readFileSync(path.join(dir, key), 'utf8') }));
}

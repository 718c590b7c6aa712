/**
 * What `mlf db import` moves, independent of where it comes from: a source (an `mlruns` folder or a
 * database) is read as a stream of these, and the writer turns them into MLflow's SQL rows.
 */
import type { Dataset, DatasetInput, Experiment, Metric, Param, RunInfo, RunTag } from '../tracking/entities.js';

/** One run with everything it owns: every metric point (not only the latest), params, tags, inputs. */
export interface SourceRun {
  info: RunInfo;
  params: Param[];
  tags: RunTag[];
  /** The whole history, in any order; duplicates of one point are allowed (SQL keeps one). */
  metrics: Metric[];
  inputs: DatasetInput[];
}

/** The keys a run's params, tags, metrics and inputs go under (for the target's name fold, case-clashes.ts). */
export interface RunKeys {
  runId: string;
  params: string[];
  tags: string[];
  metrics: string[];
  /** Per dataset input: the dataset's name and digest (its key in the experiment) and the input's tag names. */
  inputs: InputKeys[];
}

export interface InputKeys {
  name: string;
  digest: string;
  tags: string[];
}

export const inputKeys = (i: DatasetInput): InputKeys => ({ name: i.dataset.name, digest: i.dataset.digest, tags: i.tags.map((t) => t.key) });

/** Rows of a table that has no entity in mlf (registry, traces, ...), copied as they are. */
export interface TableRows {
  table: string;
  rows: Record<string, unknown>[];
}

/** Rows a source holds in a copied table, per source experiment id where the table names one. */
export interface TableCount {
  total: number;
  byExperiment?: Map<string, number>;
  /** Per run id, where the table names a run (see CopiedTable.runColumn). */
  byRun?: Map<string, number>;
}

export interface ImportSource {
  /** `file` or `sql`. */
  readonly kind: 'file' | 'sql';
  /** Paths or ids skipped as broken (only with `skipBroken`). */
  readonly skipped: string[];
  /** Every experiment, active and deleted, with tags. */
  experiments(): AsyncIterable<Experiment>;
  /** Datasets logged to an experiment (referenced by run inputs or not). */
  datasets(experimentId: string): Promise<Dataset[]>;
  /** Ids, experiment and start time of every run, cheaply (for the conflict check and progress). */
  runHeads(experimentId: string): AsyncIterable<Pick<RunInfo, 'runId' | 'experimentId' | 'startTime'>>;
  /** Every run's param, tag and metric keys, without values (read only for a target that ignores case). */
  runKeys(experimentId: string): AsyncIterable<RunKeys>;
  /** The runs of one experiment, whole, in batches of at most `batchSize`. */
  runs(experimentId: string, batchSize: number): AsyncIterable<SourceRun[]>;
  /** Tables copied row by row (model registry, traces): only those the source has; `only`: just these. */
  extraTables(batchSize: number, only?: Set<string>): AsyncIterable<TableRows>;
  /** Rows per copied table, as extraTables yields them (for the revision check and verification). */
  tableCounts(): Promise<Map<string, TableCount>>;
  /**
   * Columns of a table the source writes that `have` (the target's columns) lacks and that hold, in
   * some row, a value other than NULL and the column's default: what that target would lose.
   */
  nonDefaultColumns(table: string, have: Set<string>): Promise<string[]>;
  close(): Promise<void>;
}

/** Metric points per batch, whatever the number of runs: bounds memory and transaction size. */
export const MAX_BATCH_POINTS = 100_000;

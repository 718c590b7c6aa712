/**
 * MLflow's SQL rows ↔ mlf entities, and how metric values are stored.
 *
 * NaN is stored as MLflow stores it: value 0 with is_nan set. ±Infinity is stored as MLflow stores
 * it, ±1.7976931348623157e308 (the float max), so MLflow reads the same rows; unlike MLflow, mlf
 * reads ±float-max back as ±Infinity, because a value of exactly float max is never what was logged
 * in practice while infinities are (an exploding loss). Documented in the README.
 */
import type { Dataset, Experiment, LifecycleStage, Metric, RunInfo, RunStatus } from '../../tracking/entities.js';

export const FLOAT_MAX = 1.7976931348623157e308;

export function encodeMetricValue(v: number): { value: number; is_nan: number } {
  if (Number.isNaN(v)) return { value: 0, is_nan: 1 };
  if (v === Infinity) return { value: FLOAT_MAX, is_nan: 0 };
  if (v === -Infinity) return { value: -FLOAT_MAX, is_nan: 0 };
  return { value: v, is_nan: 0 };
}

export function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't' || v === 'true' || (typeof v === 'object' && v !== null && (v as Buffer)[0] === 1);
}

export function decodeMetricValue(value: unknown, isNan: unknown): number {
  if (truthy(isNan)) return NaN;
  const v = Number(value);
  if (v >= FLOAT_MAX) return Infinity;
  if (v <= -FLOAT_MAX) return -Infinity;
  return v;
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export interface MetricRow {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: unknown;
  run_uuid?: string;
}

function metricOf(key: unknown, value: unknown, timestamp: unknown, step: unknown, isNan: unknown): Metric {
  return { key: key as string, value: decodeMetricValue(value, isNan), timestamp: Number(timestamp ?? 0), step: Number(step ?? 0) };
}

export function metricFromRow(r: MetricRow): Metric {
  return metricOf(r.key, r.value, r.timestamp, r.step, r.is_nan);
}

/** A metric's columns in the order `metricFromValues` reads them. */
export const METRIC_COLUMNS = ['key', 'value', 'timestamp', 'step', 'is_nan'] as const;

/** The same without the key, for reads of one key (`metricOfKey`). */
export const METRIC_POINT_COLUMNS = ['value', 'timestamp', 'step', 'is_nan'] as const;

/** Builders of one key's points from `METRIC_POINT_COLUMNS`, as values or as a row. */
export function metricOfKey(key: string): { values: (v: readonly unknown[]) => Metric; row: (r: Omit<MetricRow, 'key'>) => Metric } {
  return { values: (v) => metricOf(key, v[0], v[1], v[2], v[3]), row: (r) => metricOf(key, r.value, r.timestamp, r.step, r.is_nan) };
}

/**
 * A metric from METRIC_COLUMNS' values starting at `at` of an array row: large reads (a history,
 * a page of runs) take rows as arrays, which the driver builds faster than objects.
 */
export function metricFromValues(v: readonly unknown[], at = 0): Metric {
  return metricOf(v[at], v[at + 1], v[at + 2], v[at + 3], v[at + 4]);
}

export interface RunRow {
  run_uuid: string;
  name: string | null;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number | string;
}

/** Columns read for a RunInfo (never `select *`: older schemas lack some columns). */
export const RUN_COLUMNS = [
  'runs.run_uuid',
  'runs.name',
  'runs.user_id',
  'runs.status',
  'runs.start_time',
  'runs.end_time',
  'runs.deleted_time',
  'runs.lifecycle_stage',
  'runs.artifact_uri',
  'runs.experiment_id',
] as const;

/** RUN_COLUMNS without their table: the keys of a RunRow, and the order of `runInfoFromValues`. */
export const RUN_COLUMN_NAMES = RUN_COLUMNS.map((c) => c.slice('runs.'.length));

export function runInfoFromRow(r: RunRow): RunInfo {
  const row = r as unknown as Record<string, unknown>;
  return runInfoFromValues(RUN_COLUMN_NAMES.map((c) => row[c]));
}

/** A RunInfo from an array row of RUN_COLUMNS (a search's page, read as arrays). */
export function runInfoFromValues(v: readonly unknown[]): RunInfo {
  return {
    runId: v[0] as string,
    runName: (v[1] as string | null) ?? '',
    experimentId: String(v[9]),
    userId: (v[2] as string | null) ?? '',
    status: ((v[3] as string | null) ?? 'RUNNING') as RunStatus,
    startTime: numOrNull(v[4]),
    endTime: numOrNull(v[5]),
    artifactUri: (v[8] as string | null) ?? '',
    lifecycleStage: ((v[7] as string | null) ?? 'active') as LifecycleStage,
    deletedTime: numOrNull(v[6]),
  };
}

export interface ExperimentRow {
  experiment_id: number | string;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
}

export const EXPERIMENT_COLUMNS = [
  'experiments.experiment_id',
  'experiments.name',
  'experiments.artifact_location',
  'experiments.lifecycle_stage',
  'experiments.creation_time',
  'experiments.last_update_time',
] as const;

export function experimentFromRow(r: ExperimentRow, tags: { key: string; value: string | null }[]): Experiment {
  return {
    experimentId: String(r.experiment_id),
    name: r.name,
    artifactLocation: r.artifact_location ?? '',
    lifecycleStage: (r.lifecycle_stage ?? 'active') as LifecycleStage,
    creationTime: numOrNull(r.creation_time),
    lastUpdateTime: numOrNull(r.last_update_time),
    tags: tags.map((t) => ({ key: t.key, value: t.value ?? '' })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}

/** Experiment ids are integers in SQL; anything else cannot exist. */
export function sqlExperimentId(id: string): number | null {
  return /^\d{1,18}$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : null;
}

/** A `datasets` row as MLflow stores it (schema and profile are nullable). */
export type DatasetRow = {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
};

export function datasetToRow(uuid: string, experimentId: number, d: Dataset): DatasetRow {
  return {
    dataset_uuid: uuid,
    experiment_id: experimentId,
    name: d.name,
    digest: d.digest,
    dataset_source_type: d.sourceType,
    dataset_source: d.source,
    dataset_schema: d.schema ?? null,
    dataset_profile: d.profile ?? null,
  };
}

/** Reads the dataset columns of any row that has them (a `datasets` row, or one joined with `inputs`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function datasetFromRow(r: Record<string, any>): Dataset {
  return {
    name: r.name,
    digest: r.digest,
    sourceType: r.dataset_source_type,
    source: r.dataset_source,
    schema: r.dataset_schema ?? null,
    profile: r.dataset_profile ?? null,
  };
}

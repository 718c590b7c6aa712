/**
 * A file store's logged models (MLflow 3's `<experiment>/models/<model_id>/` folders, read by the
 * file store's own code) as MLflow's SQL rows: logged_models, then its params, tags and metrics.
 * Experiment ids stay the source's here; the table copy maps them.
 */
import { FileLoggedModels } from '../stores/file/logged-models.js';
import { loggedModelColumns, type LoggedModel } from '../tracking/logged-models.js';
import type { TableCount, TableRows } from './model.js';

type Row = Record<string, unknown>;

/** MLflow's SQL columns hold no NaN on every dialect: NULL reads back as NaN, infinities as ±float max (as run metrics). */
function metricValue(v: number): number | null {
  if (Number.isNaN(v)) return null;
  if (v === Infinity) return Number.MAX_VALUE;
  if (v === -Infinity) return -Number.MAX_VALUE;
  return v;
}

function childRows(m: LoggedModel): Record<string, Row[]> {
  const base = { model_id: m.info.modelId, experiment_id: m.info.experimentId };
  return {
    logged_model_params: m.data.params.map((p) => ({ ...base, param_key: p.key, param_value: p.value })),
    logged_model_tags: m.info.tags.map((t) => ({ ...base, tag_key: t.key, tag_value: t.value })),
    logged_model_metrics: m.data.metrics.map((x) => ({
      ...base,
      metric_name: x.key,
      metric_timestamp_ms: x.timestamp,
      metric_step: x.step,
      metric_value: metricValue(x.value),
      run_id: x.runId,
      dataset_uuid: null,
      dataset_name: x.datasetName ?? null,
      dataset_digest: x.datasetDigest ?? null,
    })),
  };
}

export class FileModelSource {
  private readonly models: FileLoggedModels;
  /** `experimentIds`: only the models of these experiments (those the import lists). */
  constructor(
    root: string,
    private readonly experimentIds?: Set<string>,
  ) {
    // Only the reading side is used: getExperiment and runFolder serve writes, which the import never does.
    this.models = new FileLoggedModels({
      root,
      getExperiment: () => Promise.reject(new Error('not used by the import')),
      runFolder: () => {
        throw new Error('not used by the import');
      },
    });
  }

  private *listed(): Iterable<{ model: LoggedModel; lifecycleStage: string }> {
    for (const m of this.models.everyModel()) if (!this.experimentIds || this.experimentIds.has(m.model.info.experimentId)) yield m;
  }

  /** logged_models first (the children's FKs need them), then each child table (`only`: just these); `batchSize` rows per batch. */
  async *tables(batchSize: number, only?: Set<string>): AsyncIterable<TableRows> {
    for (const table of ['logged_models', 'logged_model_params', 'logged_model_tags', 'logged_model_metrics']) {
      if (only && !only.has(table)) continue;
      let rows: Row[] = [];
      for (const { model, lifecycleStage } of this.listed()) {
        rows.push(...(table === 'logged_models' ? [loggedModelColumns(model, lifecycleStage)] : childRows(model)[table]!));
        if (rows.length >= batchSize) {
          yield { table, rows };
          rows = [];
        }
      }
      if (rows.length) yield { table, rows };
    }
  }

  async counts(): Promise<Map<string, TableCount>> {
    const out = new Map<string, TableCount>();
    const add = (table: string, experimentId: string, n: number) => {
      const c = out.get(table) ?? { total: 0, byExperiment: new Map<string, number>() };
      c.total += n;
      c.byExperiment!.set(experimentId, (c.byExperiment!.get(experimentId) ?? 0) + n);
      out.set(table, c);
    };
    for (const { model } of this.listed()) {
      add('logged_models', model.info.experimentId, 1);
      const run = model.info.sourceRunId;
      if (run) {
        const c = out.get('logged_models')!;
        c.byRun ??= new Map();
        c.byRun.set(run, (c.byRun.get(run) ?? 0) + 1);
      }
      for (const [t, rows] of Object.entries(childRows(model))) add(t, model.info.experimentId, distinctKeys(t, rows));
    }
    return out;
  }
}

/** Rows the target keeps (duplicates of one key collapse there): metric points repeated in a file count once. */
function distinctKeys(table: string, rows: Row[]): number {
  if (table !== 'logged_model_metrics') return rows.length;
  return new Set(rows.map((r) => [r.metric_name, r.metric_timestamp_ms, r.metric_step, r.run_id].join('\u0000'))).size;
}

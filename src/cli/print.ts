/**
 * What the list and describe commands print for people (tables) and spreadsheets (CSV). JSON is
 * not here: commands return MLflow's REST shapes and oclif prints them for `--json`.
 */
import { formatDuration, formatMetric, formatTime, isoTime, renderer, toCsv, type Cell } from '../lib/render.js';
import type { Experiment, PagedList, Run } from '../tracking/entities.js';
import { columnValue, type DataColumn, type RunSearchResult } from './search.js';

type Out = (s: string) => void;

function cell(v: number | string | undefined): Cell {
  return typeof v === 'number' ? formatMetric(v) : v;
}

/** `lifecycle`: a Lifecycle Stage column in the table (for `--view all`; CSV always has it). */
export function printRuns(
  res: RunSearchResult,
  columns: DataColumn[],
  format: 'table' | 'csv',
  out: Out,
  err: Out,
  opts: { lifecycle?: boolean } = {},
): void {
  const several = res.experimentIds.length > 1;
  if (format === 'csv') {
    const head = ['run_id', 'run_name', 'experiment_id', 'status', 'start_time', 'end_time', 'lifecycle_stage', ...columns.map((c) => c.name)];
    const rows = res.runs.map((r) => [
      r.info.runId,
      r.info.runName,
      r.info.experimentId,
      r.info.status,
      isoTime(r.info.startTime),
      isoTime(r.info.endTime),
      r.info.lifecycleStage,
      ...columns.map((c) => cell(columnValue(r, c))),
    ]);
    out(toCsv(head, rows));
  } else if (res.runs.length === 0) {
    out('No runs found.');
  } else {
    const r = renderer();
    const head = ['Start Time', 'Run Name', 'Run ID', ...(several ? ['Experiment'] : []), 'Status', ...(opts.lifecycle ? ['Lifecycle Stage'] : []), 'Duration', ...columns.map((c) => c.name)];
    const rows = res.runs.map((run) => [
      formatTime(run.info.startTime),
      run.info.runName,
      run.info.runId,
      ...(several ? [run.info.experimentId] : []),
      r.status(run.info.status),
      ...(opts.lifecycle ? [run.info.lifecycleStage] : []),
      formatDuration(run.info.startTime, run.info.endTime),
      ...columns.map((c) => cell(columnValue(run, c))),
    ]);
    out(r.table(head, rows));
  }
  if (res.nextPageToken) err(`More runs: --page-token ${res.nextPageToken}`);
}

export function printExperiments(page: PagedList<Experiment>, format: 'table' | 'csv', out: Out, err: Out): void {
  if (format === 'csv') {
    const head = ['experiment_id', 'name', 'artifact_location', 'lifecycle_stage', 'creation_time', 'last_update_time'];
    out(toCsv(head, page.items.map((e) => [e.experimentId, e.name, e.artifactLocation, e.lifecycleStage, isoTime(e.creationTime), isoTime(e.lastUpdateTime)])));
  } else if (page.items.length === 0) {
    out('No experiments found.');
  } else {
    const r = renderer();
    const anyDeleted = page.items.some((e) => e.lifecycleStage !== 'active');
    const head = ['Experiment Id', 'Name', 'Artifact Location', ...(anyDeleted ? ['Lifecycle Stage'] : [])];
    out(r.table(head, page.items.map((e) => [e.experimentId, e.name, e.artifactLocation, ...(anyDeleted ? [e.lifecycleStage] : [])])));
  }
  if (page.nextPageToken) err(`More experiments: --page-token ${page.nextPageToken}`);
}

export function printRun(run: Run, out: Out): void {
  const r = renderer();
  const i = run.info;
  const lines = [
    r.keyValues([
      ['Run ID', i.runId],
      ['Run Name', i.runName],
      ['Experiment ID', i.experimentId],
      ['Status', r.status(i.status)],
      ['Lifecycle Stage', i.lifecycleStage],
      ['User', i.userId],
      ['Start Time', formatTime(i.startTime)],
      ['End Time', formatTime(i.endTime)],
      ['Duration', formatDuration(i.startTime, i.endTime)],
      ['Artifact URI', i.artifactUri],
    ]),
  ];
  const section = (title: string, head: string[], rows: Cell[][]) => {
    lines.push('', r.chalk ? r.chalk.bold(title) : title);
    lines.push(rows.length === 0 ? r.dim('(none)') : r.table(head, rows));
  };
  section('Params', ['Key', 'Value'], run.data.params.map((p) => [p.key, p.value]));
  section('Metrics', ['Key', 'Value', 'Step', 'Timestamp'], run.data.metrics.map((m) => [m.key, formatMetric(m.value), m.step, formatTime(m.timestamp)]));
  section('Tags', ['Key', 'Value'], run.data.tags.map((t) => [t.key, t.value]));
  if (run.inputs.datasetInputs.length > 0) {
    section('Datasets', ['Name', 'Digest', 'Source Type'], run.inputs.datasetInputs.map((d) => [d.dataset.name, d.dataset.digest, d.dataset.sourceType]));
  }
  out(lines.join('\n'));
}

export function printExperiment(e: Experiment, out: Out): void {
  const r = renderer();
  const lines = [
    r.keyValues([
      ['Experiment ID', e.experimentId],
      ['Name', e.name],
      ['Artifact Location', e.artifactLocation],
      ['Lifecycle Stage', e.lifecycleStage],
      ['Creation Time', formatTime(e.creationTime)],
      ['Last Update Time', formatTime(e.lastUpdateTime)],
    ]),
  ];
  lines.push('', r.chalk ? r.chalk.bold('Tags') : 'Tags');
  lines.push(e.tags.length === 0 ? r.dim('(none)') : r.table(['Key', 'Value'], e.tags.map((t) => [t.key, t.value])));
  out(lines.join('\n'));
}

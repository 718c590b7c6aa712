/**
 * `mlf experiments csv`: the table MLflow's `search_runs()` builds as a pandas DataFrame and
 * `mlflow experiments csv` writes with `to_csv(index=False)`: run_id, experiment_id, status,
 * artifact_uri, start_time, end_time, then one `metrics.<key>`, `params.<key>` and `tags.<key>`
 * column per key any run has, in the order keys first appear (MLflow takes a run's new keys in
 * set order; mlf sorts them, so the output is stable). Absent values are empty cells.
 *
 * @example
 * runsFrameCsv(runs) // "run_id,experiment_id,status,...,metrics.loss,params.lr\nabc,1,FINISHED,...,0.5,0.01\n"
 */
import type { Cell } from '../lib/render.js';
import type { Run } from '../tracking/entities.js';
import { pyFloatRepr } from '../tracking/py-format.js';

const INFO_COLUMNS = ['run_id', 'experiment_id', 'status', 'artifact_uri', 'start_time', 'end_time'];

/** Keys of one kind across runs, each where it first appears (a run's new keys sorted). */
function keysInOrder(runs: Run[], pick: (r: Run) => { key: string }[]): string[] {
  const seen = new Set<string>();
  for (const r of runs) {
    const fresh = pick(r).map((x) => x.key).filter((k) => !seen.has(k)).sort();
    for (const k of fresh) seen.add(k);
  }
  return [...seen];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * A UTC timestamp as pandas writes a `datetime64[ns, UTC]` column: `2024-05-01 10:20:30+00:00`,
 * with `.ffffff` on every row when any row of the column has a fraction of a second.
 */
export function pandasUtc(ms: number | null | undefined, withFraction: boolean): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${base}${withFraction ? `.${pad(d.getUTCMilliseconds(), 3)}000` : ''}+00:00`;
}

/** A float column value as pandas writes it (Python's repr; NaN as an empty cell). */
function floatCell(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return pyFloatRepr(v);
}

export function runsFrame(runs: Run[]): { head: string[]; rows: Cell[][] } {
  const metricKeys = keysInOrder(runs, (r) => r.data.metrics);
  const paramKeys = keysInOrder(runs, (r) => r.data.params);
  const tagKeys = keysInOrder(runs, (r) => r.data.tags);
  const hasFraction = (pick: (r: Run) => number | null | undefined) =>
    runs.some((r) => {
      const t = pick(r);
      return t !== null && t !== undefined && t % 1000 !== 0;
    });
  const startFrac = hasFraction((r) => r.info.startTime);
  const endFrac = hasFraction((r) => r.info.endTime);
  const head = [
    ...INFO_COLUMNS,
    ...metricKeys.map((k) => `metrics.${k}`),
    ...paramKeys.map((k) => `params.${k}`),
    ...tagKeys.map((k) => `tags.${k}`),
  ];
  const rows = runs.map((r) => {
    const metrics = new Map(r.data.metrics.map((m) => [m.key, m.value]));
    const params = new Map(r.data.params.map((p) => [p.key, p.value]));
    const tags = new Map(r.data.tags.map((t) => [t.key, t.value]));
    return [
      r.info.runId,
      r.info.experimentId,
      r.info.status,
      r.info.artifactUri,
      pandasUtc(r.info.startTime, startFrac),
      pandasUtc(r.info.endTime, endFrac),
      ...metricKeys.map((k) => floatCell(metrics.get(k))),
      ...paramKeys.map((k) => params.get(k)),
      ...tagKeys.map((k) => tags.get(k)),
    ];
  });
  return { head, rows };
}

/** Python's csv QUOTE_MINIMAL, which pandas uses: quotes only around a comma, a quote or a line break. */
function pandasField(c: Cell): string {
  const s = c === null || c === undefined ? '' : String(c);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The frame as `to_csv(index=False)` writes it: `\n` line ends, a final newline. */
export function runsFrameCsv(runs: Run[]): string {
  const { head, rows } = runsFrame(runs);
  return [head, ...rows].map((r) => r.map(pandasField).join(',')).join('\n') + '\n';
}

/**
 * Output for people and for scripts: plain tables (cli-table3, no borders, so `grep`/`awk` work on
 * them), CSV (RFC 4180), local times, and colour (chalk) only when stdout is a terminal and
 * `NO_COLOR` is not set. Imported only by commands that print tables, never by `mlf runs log`.
 *
 * @example
 * const r = renderer();
 * console.log(r.table(['ID', 'Name'], [['1', 'demo']]));
 * console.log(toCsv(['id', 'name'], [['1', 'a,b']])); // id,name\n1,"a,b"
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';

export type Cell = string | number | null | undefined;

/**
 * Colour on a terminal only. `NO_COLOR` (any non-empty value, see no-color.org) turns it off;
 * `FORCE_COLOR` (non-empty, not `0`/`false`) turns it on even in a pipe; `TERM=dumb` turns it off.
 */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: '  ',
};

function cellText(c: Cell): string {
  return c === null || c === undefined ? '' : String(c);
}

/** A table with a header row, columns two spaces apart, no trailing spaces. */
export function renderTable(head: string[], rows: Cell[][], chalk?: ChalkInstance): string {
  const table = new Table({
    head: head.map((h) => (chalk ? chalk.bold(h) : h)),
    chars: NO_BORDER,
    // cli-table3 colours headers red by default; colour is ours to decide.
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const r of rows) table.push(r.map(cellText));
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** Two columns, names on the left: for `describe`. */
export function renderKeyValues(rows: [string, Cell][], chalk?: ChalkInstance): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows
    .map(([k, v]) => `${chalk ? chalk.bold(k.padEnd(width)) : k.padEnd(width)}  ${cellText(v)}`.trimEnd())
    .join('\n');
}

/** One CSV field: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(c: Cell): string {
  const s = cellText(c);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header row, `\n` line ends (as pandas' `to_csv`, which `mlflow experiments csv` uses). */
export function toCsv(head: string[], rows: Cell[][]): string {
  return [head, ...rows].map((r) => r.map(csvField).join(',')).join('\n');
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD HH:MM:SS` in local time, as MLflow's CLI tables show dates; '' for no time. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** ISO 8601 in UTC, for CSV: unambiguous, and read by every spreadsheet and dataframe library. */
export function isoTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString();
}

/** `1.2s`, `3m 4s`, `2h 5m`; '' when the run has not ended. */
export function formatDuration(start: number | null | undefined, end: number | null | undefined): string {
  if (start === null || start === undefined || end === null || end === undefined) return '';
  const ms = Math.max(0, end - start);
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** A metric value as a person reads it: NaN and infinities spelled out, numbers as JS prints them. */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

export interface Renderer {
  /** null when colour is off. */
  chalk: ChalkInstance | null;
  table(head: string[], rows: Cell[][]): string;
  keyValues(rows: [string, Cell][]): string;
  /** A run status coloured by meaning. */
  status(s: string): string;
  /** Secondary text (hints, empty results). */
  dim(s: string): string;
}

/** A renderer for `stream` (stdout by default), coloured only where {@link colorEnabled} says so. */
export function renderer(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): Renderer {
  const chalk = colorEnabled(stream, env) ? new Chalk({ level: 1 }) : null;
  return {
    chalk,
    table: (head, rows) => renderTable(head, rows, chalk ?? undefined),
    keyValues: (rows) => renderKeyValues(rows, chalk ?? undefined),
    status(s) {
      if (!chalk) return s;
      if (s === 'FINISHED') return chalk.green(s);
      if (s === 'FAILED') return chalk.red(s);
      if (s === 'KILLED') return chalk.yellow(s);
      if (s === 'RUNNING') return chalk.cyan(s);
      return s;
    },
    dim: (s) => (chalk ? chalk.dim(s) : s),
  };
}

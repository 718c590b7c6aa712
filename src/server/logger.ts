/**
 * The server's log: one line per request at `info`, failures at `error`. The level comes from
 * `--log-level` (or MLflow's `MLFLOW_LOGGING_LEVEL`); `none` silences everything.
 */
import { stderrLineWriter } from './log-writer.js';

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'none'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, none: 100 };

export interface Logger {
  enabled(level: Exclude<LogLevel, 'none'>): boolean;
  info(msg: string): void;
  warning(msg: string): void;
  error(msg: string): void;
}

/**
 * Parses a level name as MLflow and Python's logging spell them (case-insensitive, `WARN` too);
 * `fallback` for an empty or unknown name.
 */
export function parseLogLevel(s: string | undefined, fallback: LogLevel): LogLevel;
export function parseLogLevel(s: string | undefined, fallback?: undefined): LogLevel | undefined;
export function parseLogLevel(s: string | undefined, fallback?: LogLevel): LogLevel | undefined {
  if (!s) return fallback;
  const v = s.trim().toLowerCase();
  if (v === 'warn') return 'warning';
  if (v === 'critical' || v === 'fatal') return 'error';
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : fallback;
}

/**
 * A logger writing `[time] [pid] [LEVEL] message` lines (gunicorn's shape) to `write`; by default to
 * standard error through a queue that never holds the event loop (see ./log-writer.ts).
 */
export function createLogger(level: LogLevel, write: (line: string) => void = stderrLineWriter()): Logger {
  const min = RANK[level];
  const line = (lv: string, msg: string) => write(`[${new Date().toISOString()}] [${process.pid}] [${lv}] ${msg}`);
  return {
    enabled: (l) => RANK[l] >= min,
    info: (m) => RANK.info >= min && line('INFO', m),
    warning: (m) => RANK.warning >= min && line('WARNING', m),
    error: (m) => RANK.error >= min && line('ERROR', m),
  } as Logger;
}

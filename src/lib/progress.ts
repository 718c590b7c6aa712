/**
 * The progress bar of the long commands (`mlf gc`, `mlf db import`) on stderr, only when stderr is
 * a terminal (pipes and CI logs get no carriage-return noise): a bar, a count, a percentage, an
 * optional detail (e.g. a rate) and an estimate of the time left. Redraws at most ten times a second.
 */
export interface Progress {
  tick(n: number): void;
  done(): void;
}

export const NO_PROGRESS: Progress = { tick: () => undefined, done: () => undefined };
export const CLEAR_LINE = '\r\x1b[K';

/** Seconds as `42s`, `3m05s` or `1h02m`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `detail(count, elapsedSeconds)`: text after the percentage, e.g. a rate. */
export function progressBar(
  total: number,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
  detail?: (count: number, elapsedSeconds: number) => string,
): Progress {
  if (!stream.isTTY || total <= 0) return NO_PROGRESS;
  let count = 0;
  let last = 0;
  const started = now();
  const width = 30;
  const draw = () => {
    const frac = Math.min(1, count / total);
    const filled = Math.round(frac * width);
    const elapsed = (now() - started) / 1000;
    const extra = detail ? ` ${detail(count, elapsed)}` : '';
    // No estimate until there is a rate to estimate from.
    const eta = count > 0 && count < total && elapsed > 0 ? ` ETA ${formatEta(((total - count) * elapsed) / count)}` : '';
    stream.write(`${CLEAR_LINE}${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total} ${Math.floor(frac * 100)}%${extra}${eta}`);
  };
  draw();
  return {
    tick(n: number) {
      count += n;
      const t = now();
      if (t - last >= 100 || count >= total) {
        last = t;
        draw();
      }
    },
    done() {
      draw();
      stream.write('\n');
    },
  };
}

/**
 * A progress line for `mlf db import` on a terminal: runs done of total, rate and ETA. Drawn on
 * stderr only when it is a TTY (and never with --json), at most ten times a second.
 */
export interface ImportProgress {
  tick(runs: number): void;
  done(): void;
}

export const NO_PROGRESS: ImportProgress = { tick: () => undefined, done: () => undefined };

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function importProgress(total: number, stream: NodeJS.WriteStream = process.stderr): ImportProgress {
  if (!stream.isTTY || total <= 0) return NO_PROGRESS;
  const t0 = Date.now();
  let count = 0;
  let last = 0;
  const width = 30;
  const draw = () => {
    const frac = Math.min(1, count / total);
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - t0) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const eta = rate > 0 ? (total - count) / rate : NaN;
    stream.write(`\rImporting runs [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total} ${rate.toFixed(0)} runs/s ETA ${formatEta(eta)} `);
  };
  return {
    tick(n) {
      count += n;
      const now = Date.now();
      if (now - last >= 100 || count >= total) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write('\n');
    },
  };
}

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal: pipes and CI logs get
 * no carriage-return noise. Redraws at most ten times a second.
 */
export interface Progress {
  tick(n: number): void;
  done(): void;
}

const NONE: Progress = { tick: () => undefined, done: () => undefined };

export function progressBar(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return NONE;
  let count = 0;
  let last = 0;
  const width = 30;
  const draw = () => {
    const frac = Math.min(1, count / total);
    const filled = Math.round(frac * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total}`);
  };
  return {
    tick(n: number) {
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

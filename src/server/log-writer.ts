/**
 * Log lines written to a file descriptor (standard error) without ever holding the event loop.
 *
 * Node writes `process.stderr` synchronously when it is a pipe or a file (and a terminal on Linux):
 * a log reader that falls behind fills the pipe, and the server's next request line then waits for
 * it, every request with it. In the fuzz test (its parent reads the pipe between load bursts) the
 * longest loop block was 83–95 ms with request logging, 22–24 ms without (back-to-back runs).
 *
 * Here lines are queued and written with `fs.write` (libuv's thread pool), one write at a time and in
 * order. At most `maxPending` bytes wait: beyond that, lines are dropped and counted, and one line
 * saying how many follows once the reader has caught up. At exit, what is still queued is written
 * synchronously, so a shutting-down server loses no line.
 *
 * @example
 * const write = stderrLineWriter();
 * write('[2026-12-06T06:00:00.000Z] [123] [INFO] GET /health 200 0.1ms');
 */
import fs from 'node:fs';

/** How many bytes of log lines may wait for a slow reader before lines are dropped. */
export const MAX_PENDING_LOG_BYTES = 8 * 1024 * 1024;
const RETRY_MS = 10;

export function droppedLinesNotice(n: number): string {
  return `[${new Date().toISOString()}] [${process.pid}] [WARNING] ${n} log line(s) dropped: standard error was not read fast enough.`;
}

/** A writer of whole lines (`\n` is added) to `fd`. */
export function lineWriter(fd: number, maxPending = MAX_PENDING_LOG_BYTES): (line: string) => void {
  let queue: string[] = [];
  let pending = 0;
  let writing = false;
  let dropped = 0;
  let broken = false;

  const writeAll = (buf: Buffer, off: number): void => {
    fs.write(fd, buf, off, buf.length - off, null, (err, n) => {
      if (err) {
        // A non-blocking descriptor with a full pipe: try again shortly. Anything else (the reader
        // is gone, the descriptor closed): nothing can be logged any more.
        if (err.code === 'EAGAIN') return void setTimeout(() => writeAll(buf, off), RETRY_MS).unref();
        broken = true;
        queue = [];
        pending = 0;
        writing = false;
        return;
      }
      if (off + n < buf.length) return writeAll(buf, off + n);
      pending -= buf.length;
      writing = false;
      if (dropped > 0 && queue.length === 0) {
        const notice = droppedLinesNotice(dropped) + '\n';
        dropped = 0;
        queue.push(notice);
        pending += Buffer.byteLength(notice);
      }
      next();
    });
  };
  const next = (): void => {
    if (writing || broken || queue.length === 0) return;
    writing = true;
    const buf = Buffer.from(queue.join(''));
    queue = [];
    writeAll(buf, 0);
  };

  process.once('exit', () => {
    if (broken || queue.length === 0) return;
    try {
      fs.writeSync(fd, queue.join(''));
    } catch {
      // Exiting anyway: a log that cannot be written is not worth a crash.
    }
  });

  return (line) => {
    if (broken) return;
    if (pending > maxPending) {
      dropped++;
      return;
    }
    const text = line + '\n';
    queue.push(text);
    pending += Buffer.byteLength(text);
    next();
  };
}

let stderrWriter: ((line: string) => void) | undefined;

/** The process's one writer to standard error (one queue keeps the lines in order). */
export function stderrLineWriter(): (line: string) => void {
  return (stderrWriter ??= lineWriter(2));
}

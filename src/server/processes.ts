/**
 * The process side of `mlf server`: one process, or with `--workers N` a node `cluster` primary and
 * N workers sharing the port (like gunicorn's workers). SIGTERM or SIGINT lets requests in flight
 * finish, closes the store and resolves with exit code 0; the primary forwards the signal to its
 * workers and waits for them. A worker that dies on its own is replaced.
 */
import cluster from 'node:cluster';
import { createLogger } from './logger.js';
import { openServerStore, startServer, type ServerSettings } from './serve.js';

export interface ProcessIo {
  /** Where the `Listening at:` line goes (stdout by default). */
  print?: (line: string) => void;
  /** Signal source; `process` by default (tests pass an EventEmitter). */
  signals?: NodeJS.EventEmitter;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function onceSignal(src: NodeJS.EventEmitter): Promise<string> {
  return new Promise((resolve) => {
    const handlers = SIGNALS.map((s) => {
      const h = () => {
        handlers.forEach(([n, f]) => src.off(n, f));
        resolve(s);
      };
      src.on(s, h);
      return [s, h] as const;
    });
  });
}

/** Runs until a shutdown signal; resolves with the exit code. Errors at start-up are thrown (MlfError, exit 1). */
export async function runServerProcesses(settings: ServerSettings, io: ProcessIo = {}): Promise<number> {
  const print = io.print ?? ((l: string) => process.stdout.write(l + '\n'));
  const signals = io.signals ?? process;
  const logger = createLogger(settings.logLevel);

  if (settings.workers > 1 && cluster.isPrimary) {
    // Open once here so an out-of-date schema stops the server before any worker starts, and an
    // empty database is initialised by one process only.
    await (await openServerStore(settings)).close();
    let shuttingDown = false;
    const alive = new Set<number>();
    const fork = () => {
      const w = cluster.fork({ MLF_SERVER_WORKER: '1' });
      alive.add(w.id);
      w.on('exit', (code, signal) => {
        alive.delete(w.id);
        if (!shuttingDown) {
          logger.warning(`Worker ${w.process.pid} exited (${signal ?? code}); starting a new one`);
          fork();
        }
      });
    };
    for (let i = 0; i < settings.workers; i++) fork();
    print(`Started ${settings.workers} workers (primary pid ${process.pid})`);
    await onceSignal(signals);
    shuttingDown = true;
    await new Promise<void>((resolve) => {
      if (alive.size === 0) return resolve();
      for (const w of Object.values(cluster.workers ?? {})) {
        w?.on('exit', () => alive.size === 0 && resolve());
        w?.process.kill('SIGTERM');
      }
    });
    return 0;
  }

  const running = await startServer(settings, logger);
  print(`Listening at: ${running.url} (${process.pid})`);
  await onceSignal(signals);
  logger.info(`Shutting down: finishing requests in flight (pid ${process.pid})`);
  await running.close();
  return 0;
}

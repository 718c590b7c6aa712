/**
 * The process side of `mlf server`: one process, or with `--workers N` a node `cluster` primary and
 * N workers sharing the port (like gunicorn's workers). SIGTERM or SIGINT lets requests in flight
 * finish, closes the store and resolves with exit code 0; the primary forwards the signal to its
 * workers, waits for them and resolves with 0 if they all exited with 0. A worker that dies on its
 * own after serving is replaced; one that dies before listening (port taken, say) stops them all,
 * exit code 1, instead of being re-forked in a loop.
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
    if (settings.auth) await (await (await import('./auth/server-layers.js')).openAuthForServer(settings.auth, logger)).close();
    let shuttingDown = false;
    let failed = false;
    const alive = new Set<number>();
    let allExited: () => void = () => undefined;
    const stopAll = () => {
      shuttingDown = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    const fork = () => {
      const w = cluster.fork();
      let listening = false;
      alive.add(w.id);
      w.once('listening', () => (listening = true));
      w.on('exit', (code, signal) => {
        alive.delete(w.id);
        if (code !== 0) failed = true;
        if (shuttingDown) {
          if (alive.size === 0) allExited();
        } else if (!listening) {
          // It never got to serve (its error is on stderr): forking again would only loop.
          logger.error(`Worker ${w.process.pid} exited (${signal ?? code}) before listening; stopping`);
          stopAll();
          if (alive.size === 0) allExited();
        } else {
          logger.warning(`Worker ${w.process.pid} exited (${signal ?? code}); starting a new one`);
          fork();
        }
      });
    };
    const done = new Promise<void>((resolve) => (allExited = resolve));
    for (let i = 0; i < settings.workers; i++) fork();
    print(`Started ${settings.workers} workers (primary pid ${process.pid})`);
    const ignore = () => undefined;
    await Promise.race([onceSignal(signals).then(stopAll), done]);
    // Workers finish their requests (at most their grace period); the primary must outlive them.
    for (const s of SIGNALS) signals.on(s, ignore);
    await done;
    for (const s of SIGNALS) signals.off(s, ignore);
    return failed ? 1 : 0;
  }

  const running = await startServer(settings, logger);
  print(`Listening at: ${running.url} (${process.pid})`);
  await onceSignal(signals);
  // A second signal while requests finish (Ctrl-C reaches the whole process group, then the
  // primary forwards SIGTERM) must not kill the process half-way: ignore it.
  const ignore = () => undefined;
  for (const s of SIGNALS) signals.on(s, ignore);
  logger.info(`Shutting down: finishing requests in flight (pid ${process.pid})`);
  try {
    await running.close();
  } finally {
    for (const s of SIGNALS) signals.off(s, ignore);
    // A cluster worker's IPC channel would keep it alive after the server and store are closed.
    if (cluster.isWorker) cluster.worker?.disconnect();
  }
  return 0;
}

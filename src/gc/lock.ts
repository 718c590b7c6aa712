/**
 * One gc at a time per file store: `<root>/.mlf-gc.lock` holds the pid of the gc that runs. A
 * second gc waits for it (polling) and then plans afresh, so it finds nothing left to do instead
 * of tripping over folders the first one removes. A lock whose process is gone (a gc killed with
 * -9) is taken over. MLflow ignores the file: it lists folders, not files.
 *
 * @example
 * await withGcLock('/data/mlruns', () => runGc(store, opts));
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../lib/errors.js';

export const GC_LOCK_FILE = '.mlf-gc.lock';
const POLL_MS = 200;
const DEFAULT_MAX_WAIT_MS = 60 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or returns the pid holding it. */
function tryTake(file: string): number | null {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const holder = Number(fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }).trim());
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return holder;
  // Left by a killed gc (or half-written by one killed while taking it): take it over.
  fs.rmSync(file, { force: true });
  return tryTake(file);
}

export async function withGcLock<T>(root: string, fn: () => Promise<T>, opts: { maxWaitMs?: number; onWait?: (pid: number) => void } = {}): Promise<T> {
  const file = path.join(root, GC_LOCK_FILE);
  const deadline = Date.now() + (opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  let told = false;
  for (;;) {
    let holder: number | null;
    try {
      holder = tryTake(file);
    } catch (e) {
      // Raced with another gc over a stale lock: look again.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    if (holder === null) break;
    if (!told) opts.onWait?.(holder);
    told = true;
    if (Date.now() > deadline) throw new MlfError(`Another gc (pid ${holder}) is still running on ${root}.`, 'RESOURCE_CONFLICT');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

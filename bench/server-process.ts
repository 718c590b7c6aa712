/**
 * `mlf server` as its own process (as a user runs it), so that a bench's client does not share its
 * event loop: started on a free port, its URL read from the `Listening at:` line, and its memory
 * (peak RSS of the process and of each worker) read from /proc. With `--workers N` it is ready once
 * all N workers print that line: a bench starting at the first would send all its early connections
 * to that worker, and the others would start (and warm up) cold inside the measured time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vmHwmMb } from './peak-rss.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** The pids on the `Listening at:` lines: the process, or each of its workers. */
  listening: number[];
  /** Peak resident set (VmHWM) in MB of the process and each worker it forked, read now. */
  peakRssMb(): number[];
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export async function startServerProcess(args: string[]): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'server', '--port', '0', '--log-level', 'warning', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const w = args.indexOf('--workers');
  const workers = w >= 0 ? Number(args[w + 1]) : 1;
  const listening: number[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const lines = [...out.matchAll(/Listening at:\s*(http:\/\/\S+) \((\d+)\)/g)];
      if (lines.length >= workers) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        listening.push(...lines.map((m) => Number(m[2])));
        resolve(lines[0]![1]!.replace(/\/+$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mlf server exited (${code}): ${err.trim() || out.trim()}`)));
  });
  const pid = child.pid!;
  return {
    url,
    pid,
    listening,
    peakRssMb: () => [pid, ...childrenOf(pid)].map(vmHwmMb).filter((x): x is number => x !== undefined),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

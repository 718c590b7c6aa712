/**
 * `mlf server` as its own process (as a user runs it), so that a bench's client does not share its
 * event loop: started on a free port, its URL read from the `Listening at:` line, and its memory
 * (peak RSS of the process and of each worker) read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { vmHwmMb } from './peak-rss.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
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
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Listening at:\s*(http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(m[1]!.replace(/\/+$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`mlf server exited (${code}): ${err.trim() || out.trim()}`)));
  });
  const pid = child.pid!;
  return {
    url,
    pid,
    peakRssMb: () => [pid, ...childrenOf(pid)].map(vmHwmMb).filter((x): x is number => x !== undefined),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A process's peak resident set (VmHWM) from /proc, in MB. Not `process.resourceUsage().maxRSS`:
 * on Linux a spawned child's maxRSS keeps the high-water mark of the parent it was forked from
 * (measured: 304 MB in a fresh `node -e` under a 341 MB parent, whose VmHWM was 39.5 MB), so a
 * bench's children would report the bench's own memory.
 */
import fs from 'node:fs';

export function vmHwmMb(pid: number | 'self' = 'self'): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** This process's peak RSS in MB: VmHWM where /proc exists, else getrusage's maxRSS. */
export function ownPeakRssMb(): number {
  return vmHwmMb() ?? process.resourceUsage().maxRSS / 1024;
}

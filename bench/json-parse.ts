/**
 * Request-body parsing, which runs on the server's event loop: `parseJsonKeepingFloats` (JSON.parse
 * plus its scans for `9.0`-style numbers) next to `JSON.parse` of the same text. Bodies are
 * log-batches whose metric values are written as Python's json writes floats (`3.0`, `0.142857…`,
 * `1e-05`), from 1000 metrics up to the largest body the server reads (MAX_JSON_BODY_BYTES).
 */
import { MAX_JSON_BODY_BYTES } from '../src/server/request.js';
import { parseJsonKeepingFloats } from '../src/tracking/py-format.js';

export interface ParseBenchRow {
  name: string;
  ms: number;
  baselineMs: number;
  baseline: string;
}

const MiB = 1024 * 1024;

/** A log-batch body of `count` metrics, or of as many as fit in `bytes`. */
function logBatchBody(limit: { count?: number; bytes?: number }): string {
  const values = (i: number) => (i % 3 === 0 ? `${i % 100}.0` : i % 3 === 1 ? String(i / 7) : '1e-05');
  const parts: string[] = [];
  let size = 100;
  for (let i = 0; limit.count !== undefined ? i < limit.count : size < limit.bytes!; i++) {
    const m = `{"key":"metric_${i % 50}","value":${values(i)},"timestamp":${1_700_000_000_000 + i},"step":${i}}`;
    parts.push(m);
    size += m.length + 1;
  }
  return `{"run_id":"0123456789abcdef0123456789abcdef","metrics":[${parts.join(',')}]}`;
}

function best(times: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

export function benchJsonParse(): ParseBenchRow[] {
  const bodies: [string, string, number][] = [
    ['log-batch 1000 metrics', logBatchBody({ count: 1000 }), 50],
    ['log-batch 1 MiB', logBatchBody({ bytes: MiB }), 9],
    ['log-batch 7.5 MiB', logBatchBody({ bytes: 7.5 * MiB }), 5],
    [`log-batch ${MAX_JSON_BODY_BYTES / MiB} MiB (largest body read)`, logBatchBody({ bytes: MAX_JSON_BODY_BYTES - 200 }), 2],
    ['7.5 MiB array of 1.0', `[${Array(Math.floor((7.5 * MiB) / 4)).fill('1.0').join(',')}]`, 5],
  ];
  return bodies.map(([what, text, times]) => {
    best(times, () => parseJsonKeepingFloats(text)); // warm
    return {
      name: `parse: request body, ${what} (parseJsonKeepingFloats)`,
      ms: best(times, () => parseJsonKeepingFloats(text)),
      baselineMs: best(times, () => JSON.parse(text)),
      baseline: 'JSON.parse, same text',
    };
  });
}

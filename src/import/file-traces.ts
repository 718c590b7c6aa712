/**
 * A file store's traces (MLflow 2.17's `<experiment>/traces/<request_id>/`) as rows of MLflow's trace
 * tables, for `mlf db import`: `trace_info` first, then its `trace_tags` and `trace_request_metadata`,
 * `batchSize` traces at a time. Experiment ids are the source's; the importer maps them. A trace
 * folder that cannot be read is left out, as MLflow's file store leaves it out of a search.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readEntries } from '../stores/file/fs-io.js';
import { TRACES } from '../stores/file/layout.js';
import { readTraceFolder } from '../stores/file/trace-files.js';
import type { TraceInfo } from '../tracking/traces.js';
import type { TableRows } from './model.js';

function rowsOf(batch: TraceInfo[]): TableRows[] {
  const kv = (pick: (t: TraceInfo) => Record<string, string>) =>
    batch.flatMap((t) => Object.entries(pick(t)).map(([key, value]) => ({ key, value, request_id: t.requestId })));
  return [
    {
      table: 'trace_info',
      rows: batch.map((t) => ({ request_id: t.requestId, experiment_id: t.experimentId, timestamp_ms: t.timestampMs, execution_time_ms: t.executionTimeMs, status: t.status })),
    },
    { table: 'trace_tags', rows: kv((t) => t.tags) },
    { table: 'trace_request_metadata', rows: kv((t) => t.requestMetadata) },
  ].filter((t) => t.rows.length);
}

/** The traces under these experiment folders, as table rows in batches. */
export async function* fileTraceRows(root: string, experimentDirs: { id: string; dir: string }[], batchSize: number): AsyncIterable<TableRows> {
  const realRoot = fs.realpathSync.native(root);
  let batch: TraceInfo[] = [];
  for (const exp of experimentDirs) {
    const tracesDir = path.join(exp.dir, TRACES);
    for (const e of readEntries(tracesDir)) {
      if (!e.isDirectory()) continue;
      const r = readTraceFolder(path.join(tracesDir, e.name), realRoot);
      // The folder names the trace and the experiment folder owns it, whatever a copied yaml says.
      if (!('info' in r) || r.info.requestId !== e.name) continue;
      batch.push({ ...r.info, experimentId: exp.id });
      if (batch.length >= batchSize) {
        yield* rowsOf(batch);
        batch = [];
      }
    }
  }
  if (batch.length) yield* rowsOf(batch);
}

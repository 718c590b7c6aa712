/**
 * Before anything is written: run ids the target already holds with other data (another
 * experiment, another start time) are not the same runs, and the import is refused naming them.
 */
import type { Db } from '../stores/sql/dialects/dialect.js';
import type { Experiment } from '../tracking/entities.js';
import type { IdMapping } from './experiment-ids.js';
import type { ImportSource } from './model.js';
import { ID_CHUNK } from './run-writer.js';

/** Run ids in conflict; fills `runCounts` (runs per source experiment) on the way. */
export async function findConflicts(
  db: Db,
  source: ImportSource,
  experiments: Experiment[],
  ids: Map<string, IdMapping>,
  runCounts: Map<string, number>,
): Promise<string[]> {
  const out: string[] = [];
  for (const e of experiments) {
    const targetId = ids.get(e.experimentId)!.targetId;
    let pending: { runId: string; startTime: number | null }[] = [];
    let n = 0;
    const check = async () => {
      const found = await db.selectFrom('runs').select(['run_uuid', 'experiment_id', 'start_time']).where('run_uuid', 'in', pending.map((p) => p.runId)).execute();
      const byId = new Map(found.map((f) => [f.run_uuid as string, f]));
      for (const p of pending) {
        const t = byId.get(p.runId);
        if (!t) continue;
        const sameStart = (t.start_time === null ? null : Number(t.start_time)) === p.startTime;
        if (Number(t.experiment_id) !== targetId || !sameStart) out.push(p.runId);
      }
      pending = [];
    };
    for await (const h of source.runHeads(e.experimentId)) {
      n++;
      pending.push(h);
      if (pending.length >= ID_CHUNK) await check();
    }
    if (pending.length) await check();
    runCounts.set(e.experimentId, n);
  }
  return out;
}

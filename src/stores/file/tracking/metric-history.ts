/** A metric's full history, for one run or sampled across runs, in the file store. */
import type { Metric, MetricWithRunId } from '../../../tracking/entities.js';
import { validateKeyName, validateRunId } from '../../../tracking/validation.js';
import { checkedBulkInterval, sampleBulkIntervalSteps } from '../../metric-sampling.js';
import type { BulkIntervalOptions } from '../../tracking-store.js';
import { METRICS } from '../layout.js';
import { parseMetricHistory } from '../metric-file.js';
import type { FileExecutor } from './executor.js';
import { locateRun, runAt } from './runs.js';

const BULK_FROM_STEPS_MAX_RESULTS = 25_000;

export async function getMetricHistory(f: FileExecutor, runId: string, key: string): Promise<Metric[]> {
  const id = validateRunId(runId);
  const k = validateKeyName(key, 'metric');
  // An unknown run's history is empty, as in MLflow's SQL store (its file store answers 404).
  if (!locateRun(f, id)) return [];
  const { loc, info } = runAt(f, id);
  const text = f.readKeyFile(loc.dir, METRICS, k);
  if (text === undefined) return [];
  // The same point logged twice is one point, as in the SQL store (whose primary key is the whole
  // point); MLflow's file store appends both, so duplicates are dropped here, on read.
  const seen = new Set<string>();
  const points = parseMetricHistory(text, k, info.experimentId).filter((m) => {
    const id = `${m.timestamp} ${m.step} ${m.value}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  // Stable: equal (step, timestamp) keep their logging order.
  return points.sort((a, b) => (a.step !== b.step ? a.step - b.step : a.timestamp - b.timestamp));
}

export async function getMetricHistoryBulkInterval(f: FileExecutor, runIds: string[], key: string, opts: BulkIntervalOptions = {}): Promise<MetricWithRunId[]> {
  const checked = checkedBulkInterval(runIds, opts);
  const histories = new Map<string, Metric[]>();
  for (const id of runIds) histories.set(id, await getMetricHistory(f, id, key));
  const steps = new Set(sampleBulkIntervalSteps([...histories.values()].map((h) => h.map((m) => m.step)), checked));

  const out: MetricWithRunId[] = [];
  for (const id of runIds) {
    const picked = histories
      .get(id)!
      .filter((m) => steps.has(m.step))
      .sort((a, b) => (a.step !== b.step ? a.step - b.step : a.timestamp - b.timestamp))
      .slice(0, BULK_FROM_STEPS_MAX_RESULTS);
    for (const m of picked) out.push({ ...m, runId: id });
  }
  return out;
}

/** A metric's full history, for one run or sampled across runs, in the SQL tracking store. */
import { sql } from 'kysely';
import { compareMetricPoints, type Metric, type MetricWithRunId } from '../../../tracking/entities.js';
import { validateRunId } from '../../../tracking/validation.js';
import { checkedBulkInterval, sampleBulkIntervalSteps } from '../../metric-sampling.js';
import type { BulkIntervalOptions } from '../../tracking-store.js';
import { METRIC_COLUMNS, METRIC_POINT_COLUMNS, metricFromRow, metricFromValues, metricOfKey, type MetricRow } from '../rows.js';
import { chunks, type SqlExecutor } from './executor.js';
import { parsePackedNumbers } from '../dialects/common.js';
import type { Db } from '../dialects/dialect.js';
import { metricPointsJson } from '../../../tracking/rest-json.js';

/** MLflow's order of a history's points, for a packed read (the query's own ORDER BY otherwise). */
const HISTORY_ORDER = ['step', 'timestamp', 'value'];

/** The read of one run's points of `key`: every column where the dialect's `=` may match another case, else the key is the one asked for. */
function historyRead(x: SqlExecutor, db: Db, id: string, key: string) {
  // Where the match is exact every row's key is the one asked for: 10,000 fewer strings to read.
  const exact = x.dialect.eqIsExact === true;
  const points = () =>
    db
      .selectFrom('metrics')
      .select(exact ? METRIC_POINT_COLUMNS : METRIC_COLUMNS)
      .where('run_uuid', '=', id)
      .where(() => x.dialect.eqCaseSensitive(sql.ref('key'), key));
  return { exact, points, ordered: () => points().orderBy('step').orderBy('timestamp').orderBy('value'), values: [id, key] };
}

export async function getMetricHistory(x: SqlExecutor, runId: string, key: string): Promise<Metric[]> {
  // No read of the run first: MLflow's SQL store answers an unknown run's history as empty, and the
  // check was one more round trip on every history read.
  const id = validateRunId(runId);
  return x.read(async (db) => {
    const r = historyRead(x, db, id, String(key));
    return x.convert<Metric, MetricRow>(
      db,
      r.exact ? 'history:points' : 'history',
      r.ordered,
      r.values,
      r.exact ? metricOfKey(String(key)) : { values: metricFromValues, row: metricFromRow },
      r.exact
        ? { columns: METRIC_POINT_COLUMNS, floats: true, numeric: true, orderBy: HISTORY_ORDER, unordered: r.points }
        : { columns: METRIC_COLUMNS, floats: true, orderBy: HISTORY_ORDER, unordered: r.points },
    );
  });
}

/**
 * getMetricHistory's points as MLflow's REST JSON, written from the text the dialect prints them in
 * (PostgreSQL's `numbers` packing; undefined elsewhere): the same read, without parsing 40,000
 * numbers only to print them again.
 */
export async function getMetricHistoryJson(x: SqlExecutor, runId: string, key: string): Promise<string[] | undefined> {
  if (!x.dialect.packRows?.numbers || x.dialect.eqIsExact !== true) return undefined;
  const id = validateRunId(runId);
  return x.read(async (db) => {
    const r = historyRead(x, db, id, String(key));
    const text = await x.numbersText(db, 'history:points', r.ordered, r.values, { columns: METRIC_POINT_COLUMNS, orderBy: HISTORY_ORDER, unordered: r.points });
    if (text === undefined) return undefined;
    const point = metricOfKey(String(key)).values;
    return metricPointsJson(String(key), text, (one) => point(parsePackedNumbers(one, METRIC_POINT_COLUMNS.length)[0]!));
  });
}

export async function getMetricHistoryBulkInterval(x: SqlExecutor, runIds: string[], key: string, opts: BulkIntervalOptions = {}): Promise<MetricWithRunId[]> {
  const checked = checkedBulkInterval(runIds, opts);
  const ids = runIds.map((r) => validateRunId(r));
  return x.read(async (db) => {
    const keyIs = () => x.dialect.eqCaseSensitive(sql.ref('key'), String(key));
    const stepRows = await db
      .selectFrom('metrics')
      .select(['run_uuid', 'step'])
      .distinct()
      .where('run_uuid', 'in', ids)
      .where(keyIs)
      .execute();
    const perRun = new Map<string, number[]>(ids.map((id) => [id, []]));
    for (const r of stepRows) perRun.get(r.run_uuid)?.push(Number(r.step));
    const steps = sampleBulkIntervalSteps([...perRun.values()], checked);
    const out: MetricWithRunId[] = [];
    for (const part of chunks(steps)) {
      if (!part.length) continue;
      const rows = await db
        .selectFrom('metrics')
        .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
        .where('run_uuid', 'in', ids)
        .where(keyIs)
        .where('step', 'in', part)
        .execute();
      for (const r of rows) out.push({ ...metricFromRow(r as MetricRow), runId: r.run_uuid });
    }
    // MLflow: run by run in the order asked, each ordered by (step, timestamp).
    const order = new Map(ids.map((id, i) => [id, i]));
    out.sort((a, b) => order.get(a.runId)! - order.get(b.runId)! || compareMetricPoints(a, b));
    return out;
  });
}

/** get-history-bulk-interval's checks run once per request: where it enters (server or store call). */
import { describe, expect, it } from 'vitest';
import { checkedBulkInterval, validateBulkInterval } from '../../src/stores/metric-sampling.js';

describe('bulk-interval checks', () => {
  it('takes options the server checked for these run ids as they are', () => {
    const runIds = ['a', 'b'];
    const checked = validateBulkInterval(runIds, { startStep: 1, endStep: 3 }, ' (docs)');
    expect(checked).toMatchObject({ startStep: 1, endStep: 3, maxResults: 2500 });
    expect(checkedBulkInterval(runIds, checked)).toBe(checked);
  });

  it('checks options marked for other run ids again, run ids first', () => {
    const checked = validateBulkInterval(['a'], { maxResults: 10 });
    const many = Array.from({ length: 101 }, (_, i) => `r${i}`);
    expect(() => checkedBulkInterval(many, checked)).toThrow('GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.');
    expect(checkedBulkInterval(['a'], checked)).not.toBe(checked);
  });

  it('checks a direct call with the store messages (no API docs suffix)', () => {
    expect(() => checkedBulkInterval([], {})).toThrow("Missing value for required parameter 'run_ids'.");
    expect(() => checkedBulkInterval(['a'], { maxResults: 0 })).toThrow(/^max_results must be between 1 and 2500\.$/);
    expect(() => checkedBulkInterval(['a'], { endStep: 2 })).toThrow('If either start step or end step are specified, both must be specified.');
    expect(checkedBulkInterval(['a'], { startStep: 2, endStep: 2 }).maxResults).toBe(2500);
  });
});

import { describe, expect, it } from 'vitest';
import { splitBatch } from '../../src/cli/batch.js';
import { validateLogBatch } from '../../src/tracking/validation.js';

const params = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `p${i}`, value: String(i) }));
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `t${i}`, value: String(i) }));
const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));

describe('splitBatch', () => {
  it('gives no batch for nothing to log', () => {
    expect(splitBatch({ params: [], metrics: [], tags: [] })).toEqual([]);
  });

  it('keeps a small log in one batch', () => {
    const b = splitBatch({ params: params(3), metrics: metrics(3), tags: tags(3) });
    expect(b).toHaveLength(1);
    expect(b[0]!.params).toHaveLength(3);
  });

  it('splits every kind at MLflow limits and each batch passes MLflow validation', () => {
    const input = { params: params(250), metrics: metrics(2500), tags: tags(130) };
    const batches = splitBatch(input);
    for (const b of batches) {
      expect(() => validateLogBatch('a'.repeat(32), b)).not.toThrow();
      expect(b.params.length + b.metrics.length + b.tags.length).toBeLessThanOrEqual(1000);
    }
    expect(batches.flatMap((b) => b.params)).toEqual(input.params);
    expect(batches.flatMap((b) => b.metrics)).toEqual(input.metrics);
    expect(batches.flatMap((b) => b.tags)).toEqual(input.tags);
    // Each batch is filled to 1000 entities: 100p+100t+800m, 100p+30t+870m, 50p+830m.
    expect(batches.map((b) => [b.params.length, b.tags.length, b.metrics.length])).toEqual([
      [100, 100, 800],
      [100, 30, 870],
      [50, 0, 830],
    ]);
  });

  it('packs exactly 1000 metrics into one batch', () => {
    expect(splitBatch({ params: [], metrics: metrics(1000), tags: [] })).toHaveLength(1);
    expect(splitBatch({ params: [], metrics: metrics(1001), tags: [] })).toHaveLength(2);
  });
});

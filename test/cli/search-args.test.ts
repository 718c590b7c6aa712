import { describe, expect, it } from 'vitest';
import { pickId } from '../../src/cli/ids.js';
import { columnValue, parseColumn, viewType } from '../../src/cli/search.js';
import type { Run } from '../../src/tracking/entities.js';

describe('viewType', () => {
  it("maps MLflow's --view words to view types and refuses others", () => {
    expect(viewType(undefined)).toBe('ACTIVE_ONLY');
    expect(viewType('deleted_only')).toBe('DELETED_ONLY');
    expect(viewType('all')).toBe('ALL');
    expect(() => viewType('some')).toThrow("Invalid view 'some'");
  });
});

describe('parseColumn', () => {
  it("accepts MLflow's entity prefixes and their aliases, and backquoted keys", () => {
    expect(parseColumn('metrics.val/loss')).toEqual({ name: 'metrics.val/loss', kind: 'metric', key: 'val/loss' });
    expect(parseColumn('param.lr')).toMatchObject({ kind: 'param', key: 'lr' });
    expect(parseColumn('tags.`my tag`')).toMatchObject({ kind: 'tag', key: 'my tag' });
    expect(parseColumn('tags.a.b')).toMatchObject({ kind: 'tag', key: 'a.b' });
  });
  it('refuses a bare key, an unknown prefix and an empty key', () => {
    for (const bad of ['loss', 'attr.status', 'metrics.']) expect(() => parseColumn(bad)).toThrow(/Invalid column/);
  });
});

describe('columnValue', () => {
  const run: Run = {
    info: {} as Run['info'],
    data: { metrics: [{ key: 'loss', value: 0.5, step: 1, timestamp: 1 }], params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 't', value: 'x' }] },
    inputs: { datasetInputs: [] },
  };
  it('reads the latest metric, the param and the tag; undefined when absent', () => {
    expect(columnValue(run, parseColumn('metrics.loss'))).toBe(0.5);
    expect(columnValue(run, parseColumn('params.lr'))).toBe('0.1');
    expect(columnValue(run, parseColumn('tags.t'))).toBe('x');
    expect(columnValue(run, parseColumn('tags.none'))).toBeUndefined();
  });
});

describe('pickId', () => {
  it('takes the flag or the argument, and refuses neither or two different ids as bad usage', () => {
    expect(pickId('a', undefined, 'run-id')).toBe('a');
    expect(pickId(undefined, 'b', 'run-id')).toBe('b');
    expect(pickId('c', 'c', 'run-id')).toBe('c');
    expect(() => pickId(undefined, undefined, 'run-id')).toThrow('Missing required flag --run-id');
    expect(() => pickId('a', 'b', 'run-id')).toThrow(/Give the id once/);
  });
});

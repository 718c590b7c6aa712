/** Which target id each source experiment gets (src/import/experiment-ids.ts). */
import { describe, expect, it } from 'vitest';
import { assignExperimentIds } from '../../src/import/experiment-ids.js';
import type { Experiment } from '../../src/tracking/entities.js';

const exp = (experimentId: string, name: string): Experiment => ({
  experimentId,
  name,
  artifactLocation: '',
  lifecycleStage: 'active',
  creationTime: 0,
  lastUpdateTime: 0,
  tags: [],
});
const ids = (m: ReturnType<typeof assignExperimentIds>) => Object.fromEntries([...m].map(([s, v]) => [s, v.targetId]));

describe('assignExperimentIds', () => {
  it('keeps ids that fit a 32-bit INTEGER and renumbers 18-digit ones after the largest', () => {
    const m = assignExperimentIds([exp('0', 'Default'), exp('172523751648060426', 'a'), exp('7', 'b'), exp('877918558503148346', 'c')], []);
    expect(ids(m)).toEqual({ '0': 0, '7': 7, '172523751648060426': 8, '877918558503148346': 9 });
    expect([...m.values()].every((v) => v.created)).toBe(true);
  });

  it('renumbers an id the target uses for another experiment, and joins one of the same name', () => {
    const m = assignExperimentIds([exp('0', 'Default'), exp('1', 'mine'), exp('2', 'shared')], [
      { id: 0, name: 'Default' },
      { id: 1, name: 'theirs' },
      { id: 5, name: 'shared' },
    ]);
    expect(ids(m)).toEqual({ '0': 0, '1': 6, '2': 5 });
    expect(m.get('0')!.created).toBe(false);
    expect(m.get('1')!.created).toBe(true);
  });

  it('reuses the id remembered from an earlier import, even after a rename in the source', () => {
    const m = assignExperimentIds([exp('172523751648060426', 'renamed')], [{ id: 3, name: 'old name' }], new Map([['172523751648060426', 3]]));
    expect(ids(m)).toEqual({ '172523751648060426': 3 });
    expect(m.get('172523751648060426')).toMatchObject({ created: false, recorded: true });
  });
});

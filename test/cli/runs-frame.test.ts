/** The CSV of `mlf experiments csv` (MLflow's search_runs frame) and `--columns` wildcards, in process. */
import { describe, expect, it } from 'vitest';
import { pandasUtc, runsFrameCsv } from '../../src/cli/runs-frame.js';
import { expandColumns, parseColumn } from '../../src/cli/search.js';
import type { Run } from '../../src/tracking/entities.js';

function run(id: string, start: number, end: number | null, data: Partial<Run['data']>): Run {
  return {
    info: { runId: id, runName: id, experimentId: '1', userId: 'u', status: 'FINISHED', startTime: start, endTime: end, artifactUri: `file:///a/${id}`, lifecycleStage: 'active', deletedTime: null },
    data: { metrics: [], params: [], tags: [], ...data },
    inputs: { datasetInputs: [] },
  } as unknown as Run;
}

describe('experiments csv frame', () => {
  it("writes UTC times as pandas does, with microseconds only when a row of the column has them", () => {
    expect(pandasUtc(Date.UTC(2024, 0, 2, 3, 4, 5), false)).toBe('2024-01-02 03:04:05+00:00');
    expect(pandasUtc(Date.UTC(2024, 0, 2, 3, 4, 5, 67), true)).toBe('2024-01-02 03:04:05.067000+00:00');
    expect(pandasUtc(null, true)).toBe('');
  });

  it('has a column per key in first-seen order, floats as Python writes them, empty cells for absent values', () => {
    const a = run('a', Date.UTC(2024, 0, 1), null, {
      metrics: [{ key: 'loss', value: 1, timestamp: 0, step: 0 }],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'note', value: 'x, "y"' }],
    });
    const b = run('b', Date.UTC(2024, 0, 1, 0, 0, 0, 500), Date.UTC(2024, 0, 1, 1), {
      metrics: [{ key: 'acc', value: 1e-7, timestamp: 0, step: 0 }, { key: 'loss', value: NaN, timestamp: 0, step: 0 }],
    });
    expect(runsFrameCsv([a, b])).toBe(
      [
        'run_id,experiment_id,status,artifact_uri,start_time,end_time,metrics.loss,metrics.acc,params.lr,tags.note',
        'a,1,FINISHED,file:///a/a,2024-01-01 00:00:00.000000+00:00,,1.0,,0.1,"x, ""y"""',
        'b,1,FINISHED,file:///a/b,2024-01-01 00:00:00.500000+00:00,2024-01-01 01:00:00+00:00,,1e-07,,',
        '',
      ].join('\n'),
    );
  });

  it('expands metrics.*, params.* and tags.* to the keys the runs have, sorted, without repeating a named column', () => {
    const runs = [
      run('a', 0, null, { metrics: [{ key: 'z', value: 1, timestamp: 0, step: 0 }], params: [{ key: 'p', value: '1' }] }),
      run('b', 0, null, { metrics: [{ key: 'a', value: 1, timestamp: 0, step: 0 }] }),
    ];
    const cols = expandColumns(['params.p', 'metrics.*', 'params.*', 'tags.*'].map(parseColumn), runs);
    expect(cols.map((c) => c.name)).toEqual(['params.p', 'metrics.a', 'metrics.z']);
  });
});

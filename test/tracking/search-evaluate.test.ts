import { describe, expect, it } from 'vitest';
import { MlfError } from '../../src/lib/errors.js';
import type { Experiment, Run } from '../../src/tracking/entities.js';
import {
  compareExperiments,
  compareRuns,
  decodePageToken,
  encodePageToken,
  experimentMatches,
  paginate,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  runMatches,
} from '../../src/tracking/search/index.js';

interface RunSpec {
  id: string;
  name?: string;
  start?: number | null;
  end?: number | null;
  status?: Run['info']['status'];
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: { name: string; digest: string; context?: string }[];
}

function run(s: RunSpec): Run {
  return {
    info: {
      runId: s.id,
      runName: s.name ?? s.id,
      experimentId: '0',
      userId: 'me',
      status: s.status ?? 'FINISHED',
      startTime: s.start === undefined ? 100 : s.start,
      endTime: s.end === undefined ? null : s.end,
      artifactUri: `file:///tmp/${s.id}/artifacts`,
      lifecycleStage: 'active',
      deletedTime: null,
    },
    data: {
      metrics: Object.entries(s.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
      params: Object.entries(s.params ?? {}).map(([key, value]) => ({ key, value })),
      tags: Object.entries(s.tags ?? {}).map(([key, value]) => ({ key, value })),
    },
    inputs: {
      datasetInputs: (s.datasets ?? []).map((d) => ({
        dataset: { name: d.name, digest: d.digest, sourceType: 'local', source: '{}' },
        tags: d.context ? [{ key: 'mlflow.data.context', value: d.context }] : [],
      })),
    },
  };
}

const RUNS = [
  run({ id: 'aa01', name: 'alpha', start: 300, end: 400, metrics: { acc: 0.9, loss: NaN }, params: { lr: '0.1', opt: 'Adam' }, tags: { team: 'Vision' }, datasets: [{ name: 'mnist', digest: 'd1', context: 'train' }] }),
  run({ id: 'bb02', name: 'beta', start: 200, status: 'RUNNING', metrics: { acc: 0.5, loss: 1.2 }, params: { lr: '0.01' }, tags: { team: 'nlp' }, datasets: [{ name: 'imdb', digest: 'd2', context: 'eval' }, { name: 'mnist', digest: 'd3' }] }),
  run({ id: 'cc03', name: 'a.c', start: 100, end: 150, metrics: { loss: -Infinity }, params: { opt: 'sgd' } }),
  run({ id: 'dd04', name: 'Delta', start: null }),
];

const ids = (filter: string) => RUNS.filter((r) => runMatches(r, parseRunFilter(filter))).map((r) => r.info.runId);

describe('runMatches', () => {
  it.each([
    ['', ['aa01', 'bb02', 'cc03', 'dd04']],
    ['metrics.acc > 0.6', ['aa01']],
    ['metrics.acc >= 0.5', ['aa01', 'bb02']],
    ['metrics.acc < 0.9', ['bb02']],
    ['metrics.acc <= 0.9', ['aa01', 'bb02']],
    ['metrics.acc = 0.5', ['bb02']],
    ['metrics.acc != 0.5', ['aa01']],
    ['metrics.loss > 0', ['bb02']],
    ['metrics.loss < 0', ['cc03']],
    ['metrics.loss = 0', []],
    ['metrics.loss != 1.2', ['aa01', 'cc03']],
    ['metrics.loss < -1e308', ['cc03']],
    ["params.lr = '0.1'", ['aa01']],
    ["params.lr != '0.1'", ['bb02']],
    ["params.opt LIKE 'A%'", ['aa01']],
    ["params.opt LIKE 'a%'", []],
    ["params.opt ILIKE 'a%'", ['aa01']],
    ["params.opt ILIKE '%G%'", ['cc03']],
    ["tags.team = 'vision'", []],
    ["tags.team ILIKE 'VISION'", ['aa01']],
    ["tags.team != 'x'", ['aa01', 'bb02']],
    ["attributes.run_name = 'alpha'", ['aa01']],
    ["`Run name` LIKE '%a'", ['aa01', 'bb02', 'dd04']],
    ["run_name LIKE 'a.c'", ['cc03']],
    ["run_name LIKE 'a_c'", ['cc03']],
    ["status = 'RUNNING'", ['bb02']],
    ["status != 'RUNNING'", ['aa01', 'cc03', 'dd04']],
    ["user_id = 'me'", ['aa01', 'bb02', 'cc03', 'dd04']],
    ["artifact_uri LIKE '%/bb02/%'", ['bb02']],
    ['start_time >= 200', ['aa01', 'bb02']],
    ['created < 250', ['bb02', 'cc03']],
    ['end_time > 0', ['aa01', 'cc03']],
    ['end_time != 150', ['aa01']],
    ["run_id IN ('aa01', 'cc03', 'zz')", ['aa01', 'cc03']],
    ["run_id NOT IN ('aa01', 'cc03')", ['bb02', 'dd04']],
    ["run_id = 'bb02'", ['bb02']],
    ["dataset.name = 'mnist'", ['aa01', 'bb02']],
    ["dataset.name != 'mnist'", ['bb02']],
    ["dataset.digest IN ('d2', 'd9')", ['bb02']],
    ["dataset.name NOT IN ('mnist')", ['bb02']],
    ["dataset.context = 'train'", ['aa01']],
    ["dataset.context LIKE '%'", ['aa01', 'bb02']],
    ["dataset.name ILIKE 'MN%' AND dataset.context = 'eval'", ['bb02']],
    ["metrics.acc > 0 AND params.lr = '0.01' AND tags.team = 'nlp'", ['bb02']],
  ])('%j matches %j', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('never matches a run that lacks the key, whatever the comparator', () => {
    expect(ids('metrics.missing != 1')).toEqual([]);
    expect(ids("params.missing != 'x'")).toEqual([]);
    expect(ids("dataset.name NOT IN ('zzz')")).toEqual(['aa01', 'bb02']);
    expect(ids("tags.missing != 'x'")).toEqual([]);
  });
});

describe('compareRuns', () => {
  const order = (orderBy: string[]) => [...RUNS].sort(compareRuns(parseRunOrderBy(orderBy))).map((r) => r.info.runId);

  it('defaults to start_time DESC, missing start last, then run_id', () => {
    expect(order([])).toEqual(['aa01', 'bb02', 'cc03', 'dd04']);
  });
  it('places values, then NaN, then missing — ascending', () => {
    expect(order(['metrics.loss ASC'])).toEqual(['cc03', 'bb02', 'aa01', 'dd04']);
  });
  it('places values, then NaN, then missing — descending too', () => {
    expect(order(['metrics.loss DESC'])).toEqual(['bb02', 'cc03', 'aa01', 'dd04']);
  });
  it('orders params and tags as strings, missing last', () => {
    expect(order(['params.opt'])).toEqual(['aa01', 'cc03', 'bb02', 'dd04']);
    expect(order(['params.opt DESC'])).toEqual(['cc03', 'aa01', 'bb02', 'dd04']);
    expect(order(['tags.team'])).toEqual(['aa01', 'bb02', 'cc03', 'dd04']);
  });
  it('orders by attributes with aliases', () => {
    expect(order(['created ASC'])).toEqual(['cc03', 'bb02', 'aa01', 'dd04']);
    expect(order(['run_name'])).toEqual(['dd04', 'cc03', 'aa01', 'bb02']);
    expect(order(['end_time DESC'])).toEqual(['aa01', 'cc03', 'bb02', 'dd04']);
  });
  it('breaks ties by start_time DESC then run_id ASC', () => {
    const tied = [run({ id: 'b', start: 1 }), run({ id: 'a', start: 1 }), run({ id: 'c', start: 2 })];
    expect(tied.sort(compareRuns(parseRunOrderBy(['params.none']))).map((r) => r.info.runId)).toEqual(['c', 'a', 'b']);
  });
  it('does not add start_time DESC when start_time is ordered on', () => {
    const tied = [run({ id: 'b', start: 2 }), run({ id: 'a', start: 1 })];
    expect(tied.sort(compareRuns(parseRunOrderBy(['start_time']))).map((r) => r.info.runId)).toEqual(['a', 'b']);
  });
  it('applies clauses in order', () => {
    const rs = [
      run({ id: 'x1', params: { g: 'a' }, metrics: { m: 1 } }),
      run({ id: 'x2', params: { g: 'b' }, metrics: { m: 5 } }),
      run({ id: 'x3', params: { g: 'a' }, metrics: { m: 3 } }),
    ];
    expect(rs.sort(compareRuns(parseRunOrderBy(['params.g', 'metrics.m DESC']))).map((r) => r.info.runId)).toEqual(['x3', 'x1', 'x2']);
  });
});

function exp(id: string, name: string, creation: number | null, update: number | null, tags: Record<string, string> = {}): Experiment {
  return {
    experimentId: id,
    name,
    artifactLocation: `/tmp/${id}`,
    lifecycleStage: 'active',
    creationTime: creation,
    lastUpdateTime: update,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  };
}

const EXPS = [
  exp('0', 'Default', 10, 10),
  exp('2', 'b-exp', 30, 35, { team: 'x' }),
  exp('10', 'a-exp', 30, 40, { team: 'y' }),
  exp('123456789012345678', 'c_exp', null, null),
];

describe('experimentMatches and compareExperiments', () => {
  const eids = (filter: string) => EXPS.filter((e) => experimentMatches(e, parseExperimentFilter(filter))).map((e) => e.experimentId);
  const order = (orderBy: string[]) => [...EXPS].sort(compareExperiments(parseExperimentOrderBy(orderBy))).map((e) => e.experimentId);

  it.each([
    ["name = 'Default'", ['0']],
    ["name LIKE '%-exp'", ['2', '10']],
    ["name LIKE 'c_exp'", ['123456789012345678']],
    ["name ILIKE 'default'", ['0']],
    ["name != 'Default'", ['2', '10', '123456789012345678']],
    ['creation_time >= 30', ['2', '10']],
    ['last_update_time < 40', ['0', '2']],
    ["tags.team = 'x'", ['2']],
    ["tags.team != 'x'", ['10']],
    ["tags.team LIKE '%' AND creation_time = 30", ['2', '10']],
  ])('%j matches %j', (filter, expected) => {
    expect(eids(filter)).toEqual(expected);
  });

  it('defaults to creation_time DESC then experiment_id ASC as integers, missing times last', () => {
    expect(order([])).toEqual(['2', '10', '0', '123456789012345678']);
  });
  it('appends experiment_id DESC as the tie-breaker to explicit clauses', () => {
    expect(order(['creation_time DESC'])).toEqual(['10', '2', '0', '123456789012345678']);
  });
  it('orders by experiment_id numerically, not as text', () => {
    expect(order(['experiment_id'])).toEqual(['0', '2', '10', '123456789012345678']);
    expect(order(['experiment_id DESC'])).toEqual(['123456789012345678', '10', '2', '0']);
  });
  it('orders by name and last_update_time', () => {
    expect(order(['name'])).toEqual(['0', '10', '2', '123456789012345678']);
    expect(order(['last_update_time DESC'])).toEqual(['10', '2', '0', '123456789012345678']);
  });
});

describe('page tokens and paginate', () => {
  it('encodes {"offset": N} exactly as Python json.dumps + base64', () => {
    expect(encodePageToken(5)).toBe('eyJvZmZzZXQiOiA1fQ==');
    expect(Buffer.from(encodePageToken(1000), 'base64').toString()).toBe('{"offset": 1000}');
  });
  it.each([1, 7, 999, 50000, 123456789])('round-trips offset %i', (n) => {
    expect(decodePageToken(encodePageToken(n))).toBe(n);
  });
  it('treats an absent or empty token as offset 0', () => {
    expect(decodePageToken()).toBe(0);
    expect(decodePageToken('')).toBe(0);
    expect(decodePageToken(null)).toBe(0);
  });
  it('accepts a string offset, as MLflow int() does', () => {
    expect(decodePageToken(Buffer.from('{"offset": "12"}').toString('base64'))).toBe(12);
  });

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it.each([
    ['abc', 'Invalid page token, could not base64-decode'],
    ['eyJvZmZzZXQiOiA1fQ', 'Invalid page token, could not base64-decode'],
    [b64('not json'), "Invalid page token, decoded value=b'not json'"],
    [b64("it's"), `Invalid page token, decoded value=b"it's"`],
    [b64('{"offset": 0}'), "Invalid page token, parsed value={'offset': 0}"],
    [b64('{"other": 1}'), "Invalid page token, parsed value={'other': 1}"],
    [b64('{"offset": null}'), "Invalid page token, parsed value={'offset': None}"],
    [b64('{"offset": -3}'), "Invalid page token, parsed value={'offset': -3}"],
    [b64('[1]'), 'Invalid page token, parsed value=[1]'],
    [b64('{"offset": "abc"}'), 'Invalid page token, not stringable abc'],
  ])('refuses token %j', (token, message) => {
    let caught: unknown;
    try {
      decodePageToken(token);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MlfError);
    expect((caught as MlfError).message).toBe(message);
    expect((caught as MlfError).errorCode).toBe('INVALID_PARAMETER_VALUE');
  });

  it('pages through a list, with a token only while rows remain', () => {
    const rows = Array.from({ length: 7 }, (_, i) => i);
    const p1 = paginate(rows, 3);
    expect(p1.items).toEqual([0, 1, 2]);
    const p2 = paginate(rows, 3, p1.nextPageToken);
    expect(p2.items).toEqual([3, 4, 5]);
    const p3 = paginate(rows, 3, p2.nextPageToken);
    expect(p3).toEqual({ items: [6] });
  });
  it('gives no token when the last page is exactly full', () => {
    expect(paginate([1, 2, 3, 4], 2, encodePageToken(2))).toEqual({ items: [3, 4] });
    expect(paginate([], 5)).toEqual({ items: [] });
  });
});

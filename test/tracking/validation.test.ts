import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorOf } from '../support/errors.js';
import {
  MAX_ENTITY_KEY_LENGTH,
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
  posixNormpath,
  validateDatasetInputs,
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateKeyName,
  validateLogBatch,
  validateMaxResults,
  validateMetric,
  validateParam,
  validateRunId,
  validateRunStatus,
  validateTag,
} from '../../src/tracking/validation.js';
import type { DatasetInput } from '../../src/tracking/entities.js';
import { pyFloatRepr, pyJsonDumps, pyRepr } from '../../src/tracking/py-format.js';

const RUN = 'a'.repeat(32);

function expectInvalid(fn: () => unknown, message: string): void {
  const e = errorOf(fn);
  expect(e.message).toBe(message);
  expect(e.errorCode).toBe('INVALID_PARAMETER_VALUE');
}

const BAD_CHARS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';
const badPath = (norm: string) =>
  `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to ${norm}`;

afterEach(() => {
  delete process.env.MLFLOW_TRUNCATE_LONG_VALUES;
});

describe('Python formatting helpers', () => {
  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [1e16, '1e+16'],
    [123456789012345.6, '123456789012345.6'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [-2.5, '-2.5'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
  ])('writes float %s as Python repr %s', (x, s) => {
    expect(pyFloatRepr(x)).toBe(s);
  });

  it('dumps JSON as Python json.dumps with ensure_ascii', () => {
    expect(pyJsonDumps('é/ü')).toBe('"\\u00e9/\\u00fc"');
    expect(pyJsonDumps('😀')).toBe('"\\ud83d\\ude00"');
    expect(pyJsonDumps({ b: 1, a: [true, null] })).toBe('{"a":[true,null],"b":1}');
    expect(pyJsonDumps(NaN)).toBe('NaN');
  });

  it('writes Python reprs of lists and dicts', () => {
    expect(pyRepr(['a', "it's"])).toBe(`['a', "it's"]`);
    expect(pyRepr({ offset: 0 })).toBe("{'offset': 0}");
  });

  it.each([
    ['a/b', 'a/b'],
    ['a//b', 'a/b'],
    ['a/./b', 'a/b'],
    ['a/../b', 'b'],
    ['../a', '../a'],
    ['/a', '/a'],
    ['//a', '//a'],
    ['///a', '/a'],
    ['a/', 'a'],
    ['', '.'],
    ['.', '.'],
  ])('normalizes %j like posixpath.normpath → %j', (p, n) => {
    expect(posixNormpath(p)).toBe(n);
  });
});

describe('validateRunId', () => {
  it('accepts a 32-char hex id and MLflow-shaped ids', () => {
    expect(validateRunId(RUN)).toBe(RUN);
    expect(validateRunId('Run-1_x')).toBe('Run-1_x');
    expect(validateRunId('a' + 'é'.repeat(10))).toBe('a' + 'é'.repeat(10));
  });
  it.each([['', '""'], ['-abc', '"-abc"'], ['a/b', '"a/b"'], ['a'.repeat(257), `"${'a'.repeat(257)}"`], ['ab c', '"ab c"']])(
    'refuses %j with MLflow message',
    (id, shown) => {
      expectInvalid(() => validateRunId(id), `Invalid value ${shown} for parameter 'run_id' supplied.`);
    },
  );
  it('refuses non-strings', () => {
    expectInvalid(() => validateRunId(5), `Invalid value 5 for parameter 'run_id' supplied.`);
    expectInvalid(() => validateRunId(undefined), `Invalid value null for parameter 'run_id' supplied.`);
  });
});

describe('validateExperimentId', () => {
  it('accepts ids of the file-store rule and integral numbers', () => {
    expect(validateExperimentId('0')).toBe('0');
    expect(validateExperimentId('123456789012345678')).toBe('123456789012345678');
    expect(validateExperimentId(7)).toBe('7');
  });
  it('refuses bad ids', () => {
    expectInvalid(() => validateExperimentId('../x'), "Invalid experiment ID: '../x'");
    expectInvalid(() => validateExperimentId('a'.repeat(65)), `Invalid experiment ID: '${'a'.repeat(65)}'`);
    expectInvalid(() => validateExperimentId(null), "Invalid experiment ID: 'None'");
  });
});

describe('validateExperimentName', () => {
  it('accepts a name of 500 characters', () => {
    expect(validateExperimentName('x'.repeat(500))).toHaveLength(500);
  });
  it('refuses empty, missing, non-string and too long names', () => {
    expectInvalid(() => validateExperimentName(''), "Invalid experiment name: ''");
    expectInvalid(() => validateExperimentName(undefined), "Invalid experiment name: 'None'");
    expectInvalid(() => validateExperimentName(5), 'Invalid experiment name: 5. Expects a string.');
    expectInvalid(() => validateExperimentName('x'.repeat(501)), "'name' exceeds the maximum length of 500 characters");
  });
  it('counts characters as Python does (code points, not UTF-16 units)', () => {
    expect(validateExperimentName('😀'.repeat(500))).toHaveLength(1000);
    expectInvalid(() => validateExperimentName('😀'.repeat(501)), "'name' exceeds the maximum length of 500 characters");
  });
});

describe('validateKeyName', () => {
  it.each(['loss', 'a/b', 'a.b', 'a-b_c', 'a b', 'ns:key', 'ünïcödé', '日本語', 'x1/y2/z3', 'a..b'])('accepts %j', (k) => {
    expect(validateKeyName(k, 'metric')).toBe(k);
  });

  it.each([
    ['metric', 'name'],
    ['param', 'key'],
    ['tag', 'key'],
  ] as const)('refuses bad characters in a %s key with the path %s', (what, path) => {
    expectInvalid(() => validateKeyName('a!b', what), `Invalid value "a!b" for parameter '${path}' supplied: ${BAD_CHARS}`);
  });

  it('escapes non-ASCII in the shown value as json.dumps does', () => {
    expectInvalid(() => validateKeyName('é!', 'param'), `Invalid value "\\u00e9!" for parameter 'key' supplied: ${BAD_CHARS}`);
  });

  it('refuses a combining mark, which is not a word character to Python', () => {
    expect(() => validateKeyName('e\u0301', 'tag')).toThrow(BAD_CHARS);
  });

  it.each([
    ['a/../b', "'b'"],
    ['../a', "'../a'"],
    ['/a', "'/a'"],
    ['a/', "'a'"],
    ['a//b', "'a/b'"],
    ['./a', "'a'"],
    ['.', "'.'"],
    ['', "'.'"],
  ])('refuses path-unsafe name %j (resolves to %s)', (k, norm) => {
    expectInvalid(() => validateKeyName(k, 'param'), `Invalid value ${JSON.stringify(k)} for parameter 'key' supplied: ${badPath(norm)}`);
  });

  it('gives MLflow\'s three different "missing key" messages', () => {
    expectInvalid(
      () => validateKeyName(undefined, 'metric'),
      "Invalid value null for parameter 'name' supplied: Metric name cannot be None. A key name must be provided.",
    );
    expectInvalid(
      () => validateKeyName(null, 'param'),
      `Invalid value "" for parameter 'key' supplied: A key name must be provided.`,
    );
    expectInvalid(() => validateKeyName(undefined, 'tag'), "Missing value for required parameter 'key'.");
  });

  it('limits keys to 250 characters with MLflow labels', () => {
    const k = 'k'.repeat(MAX_ENTITY_KEY_LENGTH);
    expect(validateKeyName(k, 'metric')).toBe(k);
    expectInvalid(() => validateKeyName(k + 'k', 'metric'), "'Metric name' exceeds the maximum length of 250 characters");
    expectInvalid(() => validateKeyName(k + 'k', 'param'), "'Param key' exceeds the maximum length of 250 characters");
    expectInvalid(() => validateKeyName(k + 'k', 'tag', 'tags[2].key'), "'tags[2].key' exceeds the maximum length of 250 characters");
  });
});

describe('validateMetric', () => {
  const ok = { key: 'm', value: 1.5, timestamp: 10, step: 2 };
  it('accepts numbers including NaN and ±Infinity', () => {
    for (const value of [0, -1, 1.5, NaN, Infinity, -Infinity]) {
      expect(validateMetric({ ...ok, value }).value).toBe(value);
    }
  });
  it('defaults a missing step to 0 (the proto default)', () => {
    expect(validateMetric({ key: 'm', value: 1, timestamp: 1 }).step).toBe(0);
  });
  it('refuses booleans and strings as values', () => {
    expectInvalid(
      () => validateMetric({ ...ok, value: true }),
      "Invalid value true for parameter 'value' supplied: (timestamp=10). Please specify value as a valid double (64-bit floating point)",
    );
    expectInvalid(
      () => validateMetric({ ...ok, value: '1' }, 'metrics[3]'),
      `Invalid value "1" for parameter 'metrics[3].value' supplied: (timestamp=10). Please specify value as a valid double (64-bit floating point)`,
    );
  });
  it('refuses a missing value', () => {
    expectInvalid(() => validateMetric({ ...ok, value: undefined }), "Missing value for required parameter 'value'.");
  });
  it.each([-1, 1.5, '5', undefined])('refuses timestamp %j', (timestamp) => {
    const shown = timestamp === undefined ? 'null' : pyJsonDumps(timestamp);
    expectInvalid(
      () => validateMetric({ ...ok, timestamp }),
      `Invalid value ${shown} for parameter 'timestamp' supplied: metric 'm' (value=1.5). Timestamp must be a nonnegative long (64-bit integer) `,
    );
  });
  it.each([0.5, 'x', 2 ** 63])('refuses step %j', (step) => {
    expectInvalid(
      () => validateMetric({ ...ok, step }),
      `Invalid value ${pyJsonDumps(step)} for parameter 'step' supplied: metric 'm' (value=1.5). Step must be a valid long (64-bit integer).`,
    );
  });
  it('accepts negative steps and 64-bit-sized timestamps', () => {
    expect(validateMetric({ ...ok, step: -3, timestamp: 2 ** 53 - 1 })).toMatchObject({ step: -3 });
  });
  it('validates the key with the JSON path of the batch', () => {
    expectInvalid(
      () => validateMetric({ ...ok, key: 'a!' }, 'metrics[0]'),
      `Invalid value "a!" for parameter 'metrics[0].name' supplied: ${BAD_CHARS}`,
    );
  });
});

describe('param and tag values (MLFLOW_TRUNCATE_LONG_VALUES)', () => {
  it('truncates a long param value to 6000 characters by default, with a warning', () => {
    const warnings: string[] = [];
    const p = validateParam({ key: 'p', value: 'v'.repeat(7000) }, { onWarning: (m) => warnings.push(m) });
    expect(p.value).toHaveLength(MAX_PARAM_VAL_LENGTH);
    expect(warnings).toEqual([
      `Param value '${'v'.repeat(100)}...' (7000 characters) is truncated to 6000 characters to meet the length limit.`,
    ]);
  });
  it('truncates a long tag value to 8000 characters, labelling it by path', () => {
    const warnings: string[] = [];
    const t = validateTag({ key: 't', value: 'v'.repeat(9000) }, { path: 'tags[1]', onWarning: (m) => warnings.push(m) });
    expect(t.value).toHaveLength(MAX_TAG_VAL_LENGTH);
    expect(warnings[0]).toMatch(/^tags\[1\]\.value 'v{100}\.\.\.' \(9000 characters\) is truncated to 8000 characters/);
  });
  it('writes the truncation warning to stderr when no handler is given', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      validateParam({ key: 'p', value: 'v'.repeat(6001) });
      expect(spy).toHaveBeenCalledWith(expect.stringContaining('is truncated to 6000 characters'));
    } finally {
      spy.mockRestore();
    }
  });
  it.each(['false', 'FALSE', '0'])('refuses long values when MLFLOW_TRUNCATE_LONG_VALUES=%s', (v) => {
    process.env.MLFLOW_TRUNCATE_LONG_VALUES = v;
    expectInvalid(() => validateParam({ key: 'p', value: 'v'.repeat(6001) }), "'Param value' exceeds the maximum length of 6000 characters");
    expectInvalid(() => validateTag({ key: 't', value: 'v'.repeat(8001) }), "'value' exceeds the maximum length of 8000 characters");
    expectInvalid(
      () => validateTag({ key: 't', value: 'v'.repeat(8001) }, { path: 'tags[0]' }),
      "'tags[0].value' exceeds the maximum length of 8000 characters",
    );
  });
  it('lets the option override the environment', () => {
    process.env.MLFLOW_TRUNCATE_LONG_VALUES = 'false';
    expect(validateParam({ key: 'p', value: 'v'.repeat(6001) }, { truncate: true, onWarning: () => {} }).value).toHaveLength(6000);
  });
  it('refuses an unknown MLFLOW_TRUNCATE_LONG_VALUES value', () => {
    process.env.MLFLOW_TRUNCATE_LONG_VALUES = 'maybe';
    expect(() => validateParam({ key: 'p', value: 'v'.repeat(6001) })).toThrow(/MLFLOW_TRUNCATE_LONG_VALUES value must be one of/);
  });
  it('truncates by code points, never splitting a surrogate pair', () => {
    const p = validateParam({ key: 'p', value: '😀'.repeat(6001) }, { onWarning: () => {} });
    expect([...p.value]).toHaveLength(6000);
    expect(p.value).toBe('😀'.repeat(6000));
  });
  it('keeps values at the limit unchanged', () => {
    expect(validateParam({ key: 'p', value: 'v'.repeat(6000) }).value).toHaveLength(6000);
    expect(validateTag({ key: 't', value: 'v'.repeat(8000) }).value).toHaveLength(8000);
  });
  it('refuses missing and non-string values', () => {
    expectInvalid(() => validateParam({ key: 'p' }), "Missing value for required parameter 'value'.");
    expectInvalid(() => validateTag({ key: 't', value: 5 }, { path: 'tags[0]' }), "Invalid value 5 for parameter 'tags[0].value' supplied.");
  });
});

describe('validateExperimentTag', () => {
  it('accepts key ≤250 and value ≤5000', () => {
    expect(validateExperimentTag({ key: 'k'.repeat(250), value: 'v'.repeat(5000) }).value).toHaveLength(5000);
  });
  it('refuses longer values without truncating', () => {
    expectInvalid(() => validateExperimentTag({ key: 'k', value: 'v'.repeat(5001) }), "'value' exceeds the maximum length of 5000 characters");
    expectInvalid(() => validateExperimentTag({ key: 'k'.repeat(251), value: 'v' }), "'key' exceeds the maximum length of 250 characters");
  });
  it('applies the key character rule', () => {
    expectInvalid(() => validateExperimentTag({ key: 'a|b', value: 'v' }), `Invalid value "a|b" for parameter 'key' supplied: ${BAD_CHARS}`);
  });
});

describe('validateLogBatch', () => {
  const metric = (i: number) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 });
  const param = (i: number) => ({ key: `p${i}`, value: String(i) });
  const tag = (i: number) => ({ key: `t${i}`, value: String(i) });
  const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

  it('returns normalized arrays for an empty batch', () => {
    expect(validateLogBatch(RUN, {})).toEqual({ metrics: [], params: [], tags: [] });
  });
  it('checks the run id first', () => {
    expectInvalid(() => validateLogBatch('bad id', { params: [{ key: 'a!', value: 'x' }] }), `Invalid value "bad id" for parameter 'run_id' supplied.`);
  });
  it('checks entities before limits, with their batch paths', () => {
    expectInvalid(
      () => validateLogBatch(RUN, { params: [...many(101, param).slice(0, 100), { key: 'bad!', value: 'x' }] }),
      `Invalid value "bad!" for parameter 'params[100].key' supplied: ${BAD_CHARS}`,
    );
    expectInvalid(
      () => validateLogBatch(RUN, { tags: [tag(0), { key: '/x', value: 'v' }] }),
      `Invalid value "/x" for parameter 'tags[1].key' supplied: ${badPath("'/x'")}`,
    );
  });
  it.each([
    ['metrics', { metrics: many(1001, metric) }, 1000, 1001],
    ['params', { params: many(101, param) }, 100, 101],
    ['tags', { tags: many(101, tag) }, 100, 101],
    ['metrics, params, and tags', { metrics: many(950, metric), params: many(30, param), tags: many(30, tag) }, 1000, 1010],
  ] as const)('limits %s per batch', (entity, batch, limit, got) => {
    expectInvalid(
      () => validateLogBatch(RUN, batch),
      `A batch logging request can contain at most ${limit} ${entity}. Got ${got} ${entity}. Please split up ${entity} across multiple requests and try again.`,
    );
  });
  it('accepts batches exactly at the limits', () => {
    expect(validateLogBatch(RUN, { metrics: many(900, metric), params: many(100, param) }).metrics).toHaveLength(900);
  });
  it('refuses duplicate param keys listing each extra occurrence', () => {
    expectInvalid(
      () => validateLogBatch(RUN, { params: [param(1), param(1), param(2), param(1)] }),
      "Duplicate parameter keys have been submitted: ['p1', 'p1']. Please ensure the request contains only one param value per param key.",
    );
  });
  it('truncates long values inside a batch', () => {
    const out = validateLogBatch(RUN, { params: [{ key: 'p', value: 'x'.repeat(6500) }] }, { onWarning: () => {} });
    expect(out.params[0]!.value).toHaveLength(6000);
  });
});

describe('validateDatasetInputs', () => {
  const input = (over: Partial<DatasetInput['dataset']> = {}, tags: DatasetInput['tags'] = []): DatasetInput => ({
    dataset: { name: 'd', digest: 'abc', sourceType: 'local', source: '{}', ...over },
    tags,
  });
  it('accepts well-formed inputs', () => {
    expect(validateDatasetInputs([input({}, [{ key: 'mlflow.data.context', value: 'train' }])])).toHaveLength(1);
  });
  it.each([
    ['name', 'Dataset name cannot be None'],
    ['digest', 'Dataset digest cannot be None'],
    ['sourceType', 'Dataset source_type cannot be None'],
    ['source', 'Dataset source cannot be None'],
  ])('refuses a missing %s', (field, message) => {
    expectInvalid(() => validateDatasetInputs([input({ [field]: null } as never)]), message);
  });
  it.each([
    ['name', 501, "'name' exceeds the maximum length of 500 characters"],
    ['digest', 37, "'digest' exceeds the maximum length of 36 characters"],
    ['source', 65536, "'source' exceeds the maximum length of 65535 characters"],
    ['schema', 1048576, "'schema' exceeds the maximum length of 1048575 characters"],
  ])('limits %s', (field, n, message) => {
    expectInvalid(() => validateDatasetInputs([input({ [field]: 'x'.repeat(n) } as never)]), message);
  });
  it('checks input tags', () => {
    expectInvalid(() => validateDatasetInputs([input({}, [{ key: 'k'.repeat(256), value: 'v' }])]), "'key' exceeds the maximum length of 255 characters");
    expectInvalid(() => validateDatasetInputs([input({}, [{ key: 'k', value: 'v'.repeat(501) }])]), "'value' exceeds the maximum length of 500 characters");
    expectInvalid(() => validateDatasetInputs([input({}, [{ key: 'k', value: null as never }])]), 'InputTag value cannot be None');
    expectInvalid(() => validateDatasetInputs([{ tags: [] } as never]), 'Dataset cannot be None');
  });
});

describe('validateMaxResults and validateRunStatus', () => {
  it('defaults and bounds max_results', () => {
    expect(validateMaxResults(undefined)).toBe(1000);
    expect(validateMaxResults(null, { default: 5 })).toBe(5);
    expect(validateMaxResults(50000)).toBe(50000);
    expectInvalid(() => validateMaxResults(0), "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer");
    expectInvalid(() => validateMaxResults(2.5), "Invalid value 2.5 for parameter 'max_results' supplied. It must be a positive integer");
    expectInvalid(() => validateMaxResults(50001), "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000");
    expectInvalid(() => validateMaxResults(11, { max: 10 }), "Invalid value 11 for parameter 'max_results' supplied. It must be at most 10");
  });
  it('accepts the five run statuses only', () => {
    expect(validateRunStatus('FINISHED')).toBe('FINISHED');
    expectInvalid(
      () => validateRunStatus('DONE'),
      "Could not get run status corresponding to string DONE. Valid run status strings: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']",
    );
  });
});

/** The text formats of the file store: Python float text, meta.yaml, metric lines. */
import { beforeAll, describe, expect, it } from 'vitest';
import jsYaml from 'js-yaml';
import { parsePythonFloat } from '../../../src/stores/file/py-float.js';
import { dumpYaml, loadYamlFallback, parseYaml } from '../../../src/stores/file/meta-yaml.js';
import { metricLine, parseLatestMetric, parseMetricHistory } from '../../../src/stores/file/metric-file.js';
import { runInfoFromMeta, runInfoFromMetaText, runInfoToMeta, datasetId, inputId } from '../../../src/stores/file/layout.js';
import type { RunInfo } from '../../../src/tracking/entities.js';

beforeAll(loadYamlFallback);

describe('metric lines', () => {
  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [1.5e308, '1.5e+308'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [123456789.125, '123456789.125'],
    [0.8500000000000001, '0.8500000000000001'],
    [-2.5, '-2.5'],
    [0, '0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('writes %s as Python prints it (%s)', (value, text) => {
    expect(metricLine({ timestamp: 1700000000000, value, step: 3 })).toBe(`1700000000000 ${text} 3\n`);
  });

  it('writes large steps as integers, never in exponent form', () => {
    expect(metricLine({ timestamp: 1, value: 0, step: 1e12 })).toBe('1 0.0 1000000000000\n');
  });

  it.each([
    ['nan', NaN],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    ['1e-05', 0.00001],
    ['1.5e+308', 1.5e308],
    ['1_000.5', 1000.5],
    ['.5', 0.5],
  ])('reads %s as Python float() does', (text, value) => {
    expect(parsePythonFloat(text)).toBe(value);
  });

  it('refuses text Python float() refuses', () => {
    for (const t of ['0x10', 'abc', '', '1.2.3', '1__0']) expect(parsePythonFloat(t), t).toBeUndefined();
  });

  it('reads old two-field lines as step 0 and skips a trailing partial line', () => {
    const h = parseMetricHistory('100 1.5\n200 2.5 4\n300 9.', 'k', '1');
    expect(h).toEqual([
      { key: 'k', value: 1.5, timestamp: 100, step: 0 },
      { key: 'k', value: 2.5, timestamp: 200, step: 4 },
    ]);
  });

  it('picks the latest point by (step, timestamp, value)', () => {
    const text = '5 9.0 1\n4 1.0 2\n3 0.5 2\n4 0.7 2\n';
    expect(parseLatestMetric(text, 'k', '1')).toEqual({ key: 'k', value: 1.0, timestamp: 4, step: 2 });
  });

  it('reports a malformed line with MLflow message', () => {
    expect(() => parseMetricHistory('1 2 3 4\n', 'k', '7')).toThrow(
      "Metric 'k' is malformed; persisted metric data contained 4 fields. Expected 2 or 3 fields. Experiment id: 7",
    );
  });
});

describe('meta.yaml', () => {
  const info: RunInfo = {
    runId: 'abc',
    runName: 'yes',
    experimentId: '0',
    userId: "o'brien",
    status: 'FINISHED',
    startTime: 1,
    endTime: null,
    artifactUri: 'file:///tmp/x y/0/abc/artifacts',
    lifecycleStage: 'deleted',
    deletedTime: 5,
  };

  it('writes run meta with MLflow keys, sorted, integer status, source_type 4 and tags []', () => {
    const text = dumpYaml(runInfoToMeta(info));
    expect(text.split('\n').filter(Boolean).map((l) => l.split(':')[0])).toEqual([
      'artifact_uri', 'deleted_time', 'end_time', 'entry_point_name', 'experiment_id', 'lifecycle_stage', 'run_id',
      'run_name', 'run_uuid', 'source_name', 'source_type', 'source_version', 'start_time', 'status', 'tags', 'user_id',
    ]);
    expect(text).toContain("experiment_id: '0'\n");
    expect(text).toContain('status: 3\n');
    expect(text).toContain('source_type: 4\n');
    expect(text).toContain('tags: []\n');
    expect(text).toContain("entry_point_name: ''\n");
    expect(text).toContain('end_time: null\n');
  });

  it('leaves deleted_time out of an active run', () => {
    expect(dumpYaml(runInfoToMeta({ ...info, lifecycleStage: 'active', deletedTime: null }))).not.toContain('deleted_time');
  });

  it('quotes every string YAML 1.1 or 1.2 would read as something else', () => {
    for (const s of ['yes', 'No', 'on', 'null', '~', '1:20', '0x1F', '2024-01-01', '12', '1e3', '', ' x', 'a: b', 'x #c', '-x', "it's", 'é', 'a\nb', '\t']) {
      const back = jsYaml.load(dumpYaml({ v: s })) as { v: unknown };
      expect(back.v, JSON.stringify(s)).toBe(s);
      expect(parseYaml(dumpYaml({ v: s }))?.v, JSON.stringify(s)).toBe(s);
    }
    expect(dumpYaml({ v: 'yes' })).toBe("v: 'yes'\n");
  });

  it('writes hex ids that start with a digit bare, as PyYAML does, except the one YAML 1.2 reads as a number', () => {
    expect(dumpYaml({ v: '8c48e799118948f3bc34842069964902' })).toBe('v: 8c48e799118948f3bc34842069964902\n');
    for (const s of ['8c48e799118948f3bc34842069964902', '0abc', '12e45', '1234']) {
      expect(jsYaml.load(dumpYaml({ v: s })), s).toEqual({ v: s });
      expect(runInfoFromMetaText(dumpYaml(runInfoToMeta({ ...info, runId: s })))?.runId, s).toBe(s);
    }
    expect(dumpYaml({ v: '12e45' })).toBe("v: '12e45'\n");
  });

  it('reads its own output and js-yaml reads it the same', () => {
    const meta = runInfoToMeta(info);
    const text = dumpYaml(meta);
    expect(parseYaml(text)).toEqual(jsYaml.load(text));
    expect(runInfoFromMetaText(text)).toEqual(runInfoFromMeta(parseYaml(text)!));
    expect(runInfoFromMetaText(text)).toEqual(info);
  });

  it('falls back to a full YAML parser for shapes the fast reader does not know', () => {
    const wrapped = "name: iris\nschema: '{\"a\": [1,\n  2]}'\n";
    expect(parseYaml(wrapped)).toEqual({ name: 'iris', schema: '{"a": [1, 2]}' });
    expect(runInfoFromMetaText('experiment_id: "0"\n')).toBeUndefined();
  });

  it('reads nested tag maps as MLflow writes input and experiment meta', () => {
    expect(parseYaml('source_id: x\ntags:\n  mlflow.data.context: training\n  k: \'1\'\n')).toEqual({
      source_id: 'x',
      tags: { 'mlflow.data.context': 'training', k: '1' },
    });
  });

  it('names dataset and input folders by md5 as MLflow does', () => {
    // From the fixture: iris-sample/d1g3st01 in run A4.
    const ds = datasetId('iris-sample', 'd1g3st01');
    expect(ds).toBe('d5b791a82d9ee1791be2ba8c34ee43a9');
    expect(inputId(ds, 'd6e2bfdfe3ad442f8ee7cef5b8d4edce')).toBe('22707e284562ae17a418c3891e6387f3');
  });
});

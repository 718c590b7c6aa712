import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPayload, parsePayloadText, payloadFromDocument } from '../../src/cli/payload.js';
import { MlfError } from '../../src/lib/errors.js';

const d = { step: 0, timestamp: 1000 };

async function rejectsUsage(p: Promise<unknown>, match: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlfError);
  expect((e as MlfError).exitCode).toBe(2);
  expect((e as MlfError).message).toMatch(match);
}

describe('payloadFromDocument', () => {
  it('reads maps of params, metrics and tags, turning scalars into text as Python str() would', () => {
    const p = payloadFromDocument({ params: { lr: 0.01, layers: 3, bn: true, opt: 'adam' }, tags: { team: 'cv' }, metrics: { acc: 0.9 } }, d, 'x');
    expect(p.params).toEqual([
      { key: 'lr', value: '0.01' },
      { key: 'layers', value: '3' },
      { key: 'bn', value: 'True' },
      { key: 'opt', value: 'adam' },
    ]);
    expect(p.tags).toEqual([{ key: 'team', value: 'cv' }]);
    expect(p.metrics).toEqual([{ key: 'acc', value: 0.9, step: 0, timestamp: 1000 }]);
  });

  it('reads a list of numbers as a history at steps 0, 1, 2', () => {
    const p = payloadFromDocument({ metrics: { loss: [0.9, 0.5, 0.3] } }, { step: 7, timestamp: 5 }, 'x');
    expect(p.metrics.map((m) => [m.step, m.value])).toEqual([
      [0, 0.9],
      [1, 0.5],
      [2, 0.3],
    ]);
  });

  it('reads points with their own step and timestamp, and uses the default step for a single value', () => {
    const p = payloadFromDocument(
      { metrics: { loss: [{ value: 0.4, step: 10, timestamp: 99 }, { value: 'NaN' }], acc: 0.5 } },
      { step: 7, timestamp: 5 },
      'x',
    );
    expect(p.metrics[0]).toEqual({ key: 'loss', value: 0.4, step: 10, timestamp: 99 });
    expect(p.metrics[1]!.step).toBe(1);
    expect(p.metrics[1]!.value).toBeNaN();
    expect(p.metrics[2]).toEqual({ key: 'acc', value: 0.5, step: 7, timestamp: 5 });
  });

  it("reads MLflow's log-batch body (lists of {key, value})", () => {
    const p = payloadFromDocument(
      { metrics: [{ key: 'm', value: 1, step: 2, timestamp: 3 }], params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'w' }] },
      d,
      'x',
    );
    expect(p).toEqual({ metrics: [{ key: 'm', value: 1, step: 2, timestamp: 3 }], params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'w' }] });
  });

  it('refuses unknown fields, non-number metrics, object param values and bad timestamps', () => {
    expect(() => payloadFromDocument({ metric: {} }, d, "'f.yaml'")).toThrow("Invalid run-log input 'f.yaml': unknown field 'metric' (expected params, metrics, tags)");
    expect(() => payloadFromDocument({ metrics: { loss: 'high' } }, d, 'x')).toThrow(/metric 'loss'/);
    expect(() => payloadFromDocument({ metrics: { loss: { step: 1 } } }, d, 'x')).toThrow(/without a value/);
    expect(() => payloadFromDocument({ params: { a: { b: 1 } } }, d, 'x')).toThrow(/param 'a' must be a string/);
    expect(() => payloadFromDocument({ metrics: { a: [{ value: 1, timestamp: -1 }] } }, d, 'x')).toThrow(/timestamp/);
    expect(() => payloadFromDocument([1, 2], d, 'x')).toThrow(/expected a map/);
  });
});

describe('parsePayloadText', () => {
  it('parses JSON and YAML (including YAML flow maps that look like JSON)', async () => {
    expect(await parsePayloadText('{"params": {"a": 1}}', 'x')).toEqual({ params: { a: 1 } });
    expect(await parsePayloadText('params:\n  a: 1\nmetrics:\n  m: .nan\n', 'x')).toMatchObject({ params: { a: 1 } });
    expect(await parsePayloadText('{params: {a: 1}}', 'x')).toEqual({ params: { a: 1 } });
    expect(await parsePayloadText('  \n', 'x')).toEqual({});
  });
  it('holds .json input to JSON and reports bad syntax as a usage error', async () => {
    await rejectsUsage(parsePayloadText('{params: {a: 1}}', "'f.json'", true), /not valid JSON/);
    await rejectsUsage(parsePayloadText('params: [a\n', 'x'), /not valid JSON or YAML/);
  });
});

describe('loadPayload', () => {
  it('reads a YAML file from disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-payload-'));
    const f = path.join(dir, 'log.yaml');
    fs.writeFileSync(f, 'params:\n  lr: "0.010"\nmetrics:\n  loss: [3, 2]\n');
    const p = await loadPayload(f, d);
    expect(p.params).toEqual([{ key: 'lr', value: '0.010' }]);
    expect(p.metrics.map((m) => m.value)).toEqual([3, 2]);
    fs.rmSync(dir, { recursive: true });
  });
  it('says which file is missing', async () => {
    await rejectsUsage(loadPayload('/nonexistent/log.yaml', d), /No such file: '\/nonexistent\/log.yaml'/);
  });
});

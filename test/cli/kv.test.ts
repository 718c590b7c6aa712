import { describe, expect, it } from 'vitest';
import { parseKeyValue, parseMetricArg, parseMetricValue, parseStep, splitList } from '../../src/cli/kv.js';
import { MlfError } from '../../src/lib/errors.js';

function usageError(fn: () => unknown): MlfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MlfError);
    expect((e as MlfError).exitCode).toBe(2);
    return e as MlfError;
  }
  throw new Error('expected an error');
}

describe('parseKeyValue', () => {
  it('splits at the first = and keeps = in the value', () => {
    expect(parseKeyValue('query=a=b', 'param')).toEqual({ key: 'query', value: 'a=b' });
  });
  it('keeps an empty value', () => {
    expect(parseKeyValue('note=', 'tag')).toEqual({ key: 'note', value: '' });
  });
  it('refuses an argument without = or with an empty key, naming the flag', () => {
    expect(usageError(() => parseKeyValue('lr', 'param')).message).toBe("Invalid --param 'lr': expected KEY=VALUE");
    expect(usageError(() => parseKeyValue('=1', 'tag')).message).toBe("Invalid --tag '=1': expected KEY=VALUE");
  });
});

describe('parseMetricValue', () => {
  it('reads decimals, exponents and signs', () => {
    expect(parseMetricValue('0.25', 'm')).toBe(0.25);
    expect(parseMetricValue('-1e-5', 'm')).toBe(-1e-5);
    expect(parseMetricValue('+3', 'm')).toBe(3);
    expect(parseMetricValue('.5', 'm')).toBe(0.5);
    expect(parseMetricValue('7.', 'm')).toBe(7);
  });
  it('reads nan and infinities in any case', () => {
    expect(parseMetricValue('NaN', 'm')).toBeNaN();
    expect(parseMetricValue('inf', 'm')).toBe(Infinity);
    expect(parseMetricValue('-Infinity', 'm')).toBe(-Infinity);
  });
  it('refuses what is not a number a person meant', () => {
    for (const bad of ['', ' ', 'abc', '0x10', '1_000', '1,5', 'true', '1e']) {
      expect(usageError(() => parseMetricValue(bad, 'loss')).message).toBe(`Invalid value '${bad}' for metric 'loss': expected a number`);
    }
  });
});

describe('parseStep', () => {
  it('accepts integers, negative ones too (MLflow steps are any long)', () => {
    expect(parseStep('10', 'm')).toBe(10);
    expect(parseStep('-2', 'm')).toBe(-2);
  });
  it('refuses fractions, text and integers beyond 2^53', () => {
    for (const bad of ['1.5', 'x', '', '9007199254740993']) usageError(() => parseStep(bad, 'metric'));
  });
});

describe('parseMetricArg', () => {
  it('reads KEY=VALUE without a step', () => {
    expect(parseMetricArg('loss=0.5')).toEqual({ key: 'loss', value: 0.5 });
  });
  it('reads KEY=VALUE@STEP', () => {
    expect(parseMetricArg('val/loss=0.5@12')).toEqual({ key: 'val/loss', value: 0.5, step: 12 });
  });
  it('refuses a non-number value and a bad step', () => {
    usageError(() => parseMetricArg('loss=high'));
    usageError(() => parseMetricArg('loss=0.5@x'));
    usageError(() => parseMetricArg('loss'));
  });
});

describe('splitList', () => {
  it('splits comma lists across repeated flags and drops blanks', () => {
    expect(splitList(['metrics.a, params.b', 'tags.c,', ''])).toEqual(['metrics.a', 'params.b', 'tags.c']);
    expect(splitList(undefined)).toEqual([]);
  });
});

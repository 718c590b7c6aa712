import { describe, expect, it } from 'vitest';
import { parseOlderThan } from '../../src/gc/older-than.js';

describe('parseOlderThan', () => {
  it.each([
    ['8h', 8 * 3600_000],
    ['2d8h5m20s', ((2 * 24 + 8) * 3600 + 5 * 60 + 20) * 1000],
    ['2m4s', 124_000],
    ['1.5d', 1.5 * 86_400_000],
    ['1.2d3h4m5s', Math.trunc((1.2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000)],
    ['0.0005s', 0],
    ['.5m', 30_000],
  ])('reads %s as MLflow does', (text, ms) => {
    expect(parseOlderThan(text)).toBe(ms);
  });

  it.each(['', '1w', '1h2d', 'h', '1.2.3d', '10', '-1d', '1d ', '1 d'])("refuses '%s' with MLflow's message", (text) => {
    expect(() => parseOlderThan(text)).toThrow(
      `Could not parse any time information from '${text}'. Examples of valid strings: '8h', '2d8h5m20s', '2m4s'`,
    );
  });

  it('is a bad-input error (exit 2)', () => {
    try {
      parseOlderThan('x');
    } catch (e) {
      expect((e as { errorCode: string; exitCode: number }).errorCode).toBe('INVALID_PARAMETER_VALUE');
      expect((e as { exitCode: number }).exitCode).toBe(2);
      return;
    }
    throw new Error('did not throw');
  });
});

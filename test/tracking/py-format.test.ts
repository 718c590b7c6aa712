import { describe, expect, it } from 'vitest';
import { isFloatLiteral, parseJsonKeepingFloats, pyJsonDumps, pyStr, pyTypeName } from '../../src/tracking/py-format.js';

describe('parseJsonKeepingFloats', () => {
  it('remembers integral numbers written as floats, as Python json reads them', () => {
    const o = parseJsonKeepingFloats('{"a": 9.0, "b": 9, "c": [1e3, 2, "4.0"], "d": {"e": -0.0e1}, "s": "x\\"9.0"}') as any;
    expect(o).toEqual({ a: 9, b: 9, c: [1000, 2, '4.0'], d: { e: -0 }, s: 'x"9.0' });
    expect([isFloatLiteral(o, 'a'), isFloatLiteral(o, 'b'), isFloatLiteral(o.c, 0), isFloatLiteral(o.c, 1), isFloatLiteral(o.d, 'e')]).toEqual([
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(pyJsonDumps(o.a, o, 'a')).toBe('9.0');
    expect(pyTypeName(o.a, o, 'a')).toBe('float');
    expect(pyJsonDumps(o.b, o, 'b')).toBe('9');
    expect(pyTypeName(o.b, o, 'b')).toBe('int');
    expect(pyJsonDumps(o.c)).toBe('[1000.0,2,"4.0"]');
    expect(pyStr(o.c)).toBe("[1000.0, 2, '4.0']");
  });
  it('parses texts without float literals unchanged, and throws on bad JSON as JSON.parse', () => {
    expect(parseJsonKeepingFloats('{"a": [1, 2.5]}')).toEqual({ a: [1, 2.5] });
    expect(() => parseJsonKeepingFloats('{')).toThrow(SyntaxError);
  });
});

import { describe, expect, it } from 'vitest';
import { isFloatLiteral, parseJsonKeepingFloats } from '../../src/tracking/json-float-literals.js';

/**
 * The oracle: a small recursive-descent JSON reader that keeps each number's token, with objects as
 * Python's json builds dicts (a duplicate key's last value wins). A member is a float-written
 * integral when its token has `.`/`e`/`E` and its value is an integer.
 */
type Node = { num: string } | { str: string } | { lit: unknown } | { arr: Node[] } | { obj: Map<string, Node> };

function oracle(text: string): Node {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): Node => {
    ws();
    const c = text[i]!;
    if (c === '{') {
      i++;
      const obj = new Map<string, Node>();
      ws();
      if (text[i] === '}') return i++, { obj };
      for (;;) {
        ws();
        const k = (value() as { str: string }).str;
        ws();
        i++; // :
        obj.set(k, value());
        ws();
        if (text[i++] === '}') return { obj };
      }
    }
    if (c === '[') {
      i++;
      const arr: Node[] = [];
      ws();
      if (text[i] === ']') return i++, { arr };
      for (;;) {
        arr.push(value());
        ws();
        if (text[i++] === ']') return { arr };
      }
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i))!;
      i += m[0].length;
      return { str: JSON.parse(m[0]) as string };
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i))!;
    i += m[0].length;
    return /^[-\d]/.test(m[0]) ? { num: m[0] } : { lit: JSON.parse(m[0]) };
  };
  return value();
}

const floatWritten = (n: Node) => 'num' in n && /[.eE]/.test(n.num) && Number.isInteger(Number(n.num));

/** Every member of the parsed value whose mark differs from the oracle's, as `path: got`. */
function differences(parsed: unknown, node: Node, path = '$'): string[] {
  const out: string[] = [];
  const check = (holder: object, key: string | number, child: Node) => {
    if (isFloatLiteral(holder, key) !== floatWritten(child)) out.push(`${path}.${key}: ${isFloatLiteral(holder, key)}`);
    out.push(...differences((holder as Record<string, unknown>)[key], child, `${path}.${key}`));
  };
  if ('arr' in node) node.arr.forEach((child, i) => check(parsed as unknown[], i, child));
  if ('obj' in node) for (const [k, child] of node.obj) check(parsed as object, k, child);
  return out;
}

// A seeded generator of JSON texts full of the cases that matter: float-written integrals, long
// digit strings, exponents out of range, keys and strings with escapes, and duplicate keys.
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}
const NUMBERS = ['9', '9.0', '-0.0', '0', '1e3', '1E+2', '2.50e1', '1.5', '0.1e1', '1e-400', '1e400', '-1e400', '12345678901234567.5', '1.00000000000000001', '123456789012345.0', '1234567890123456.5', '7', '-3.25'];
const KEYS = ['"a"', '"b"', '"__proto__"', '"k\\"9.0"', '"0"', '"1"', '"\\u0061"', '"\\\\"', '"é"'];
const STRINGS = ['"x"', '"9.0"', '"a\\"1.0"', '"\\\\"', '"\\\\\\"1e3"', '"[1.0, {\\"a\\": 2.0}]"', '""'];

function generate(r: () => number, depth: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const sp = () => pick(['', ' ', '\n  ']);
  const roll = r();
  if (depth > 0 && roll < 0.25) {
    return `[${sp()}${Array.from({ length: Math.floor(r() * 5) }, () => generate(r, depth - 1)).join(`,${sp()}`)}]`;
  }
  if (depth > 0 && roll < 0.5) {
    return `{${sp()}${Array.from({ length: Math.floor(r() * 6) }, () => `${pick(KEYS)}${sp()}:${sp()}${generate(r, depth - 1)}`).join(`,${sp()}`)}${sp()}}`;
  }
  if (roll < 0.8) return pick(NUMBERS);
  return roll < 0.9 ? pick(STRINGS) : pick(['true', 'false', 'null']);
}

describe('parseJsonKeepingFloats', () => {
  it('marks exactly the integral numbers written as floats, duplicate keys as Python reads them (2,000 seeded texts)', () => {
    const r = rng(14);
    for (let n = 0; n < 2000; n++) {
      const text = `{"root": ${generate(r, 5)}}`;
      expect({ text, diff: differences(parseJsonKeepingFloats(text), oracle(text)) }).toEqual({ text, diff: [] });
    }
  });

  it('lets the last of duplicate keys decide, also through replaced containers', () => {
    const cases: [string, boolean][] = [
      ['{"a": 1.0, "a": 1}', false],
      ['{"a": 1, "a": 1.0}', true],
      ['{"a": 1.0, "a": "1.0"}', false],
      ['{"a": 1.0, "a": {"x": 1}}', false],
    ];
    for (const [text, marked] of cases) expect([text, isFloatLiteral(parseJsonKeepingFloats(text), 'a')]).toEqual([text, marked]);
    const o = parseJsonKeepingFloats('{"p": {"x": 1.0, "y": [2.0]}, "p": {"x": 1, "y": [2]}, "q": [3.0], "q": {"0": 3}}') as any;
    expect([isFloatLiteral(o.p, 'x'), isFloatLiteral(o.p.y, 0), isFloatLiteral(o.q, '0')]).toEqual([false, false, false]);
  });

  it('marks members of large arrays and objects (array marks are kept per index)', () => {
    const o = parseJsonKeepingFloats(`{"v": [${Array.from({ length: 5000 }, (_, i) => (i % 2 ? `${i}.0` : `${i}`)).join(',')}], "o": {${Array.from({ length: 20 }, (_, i) => `"k${i}": ${i % 2 ? '1e1' : '10'}`).join(',')}}}`) as any;
    expect([isFloatLiteral(o.v, 4999), isFloatLiteral(o.v, '4999'), isFloatLiteral(o.v, 4998), isFloatLiteral(o.v, 5000)]).toEqual([true, true, false, false]);
    expect(Object.keys(o.o).filter((k) => isFloatLiteral(o.o, k))).toEqual(Array.from({ length: 10 }, (_, i) => `k${2 * i + 1}`));
  });

  it('throws on invalid JSON as JSON.parse does, and leaves top-level and string-held numbers alone', () => {
    for (const bad of ['{', '{"a": 1.0', '[1.0,]', '"unterminated', '{"a": 01.0}']) expect(() => parseJsonKeepingFloats(bad)).toThrow(SyntaxError);
    expect(parseJsonKeepingFloats('9.0')).toBe(9);
    expect(parseJsonKeepingFloats('"{\\"a\\": 9.0}"')).toBe('{"a": 9.0}');
  });
});

/**
 * jsonPieces (src/server/json-pieces.ts): joined, the pieces are JSON.stringify's text to the
 * character, whatever the answer holds; long lists come in pieces of bounded size, short answers
 * as one string.
 */
import { describe, expect, it } from 'vitest';
import { joinedText, jsonPieces, WrittenList } from '../../src/server/json-pieces.js';

const joined = (v: unknown) => {
  const p = jsonPieces(v);
  return typeof p === 'string' ? p : p.join('');
};

const run = (i: number) => ({
  info: { run_uuid: `r${i}`, run_name: i % 5 ? `n${i}` : 'ünïcödé 🚀 "quoted" \\ \n', start_time: 1_700_000_000_000 + i, end_time: undefined },
  data: { metrics: [{ key: 'm', value: i % 7 ? i / 3 : -0, timestamp: 1, step: 0 }], params: i % 2 ? [] : [{ key: 'p', value: String(i) }] },
  inputs: {},
});

describe('jsonPieces', () => {
  const cases: [string, unknown][] = [
    ['a page of 1000 runs and a token', { runs: Array.from({ length: 1000 }, (_, i) => run(i)), next_page_token: 'tok' }],
    ['a history of 10,000 points', { metrics: Array.from({ length: 10_000 }, (_, i) => ({ key: 'loss', value: i / 3, timestamp: i, step: i })) }],
    ['two long lists, unset and function fields between them', { a: Array.from({ length: 300 }, (_, i) => i), u: undefined, f: () => 1, b: Array.from({ length: 70 }, (_, i) => ({ i })) }],
    ['holes, undefined, NaN and Infinity in a long list', { xs: [...Array.from({ length: 100 }, (_, i) => (i % 3 ? i : undefined)), NaN, Infinity, -0, null] }],
    ['items of very different sizes', { xs: Array.from({ length: 200 }, (_, i) => (i === 150 ? 'x'.repeat(100_000) : i)) }],
    ['a long list with toJSON items and a nested long list', { xs: Array.from({ length: 100 }, (_, i) => ({ toJSON: () => `t${i}` })), n: { ys: Array.from({ length: 100 }, (_, i) => i) } }],
    ['an object whose toJSON decides', { toJSON: () => ({ other: true }), xs: Array.from({ length: 100 }, (_, i) => i) }],
    ['a list of exactly 64 items first', { xs: Array.from({ length: 64 }, (_, i) => i) }],
    ['short answers', { run_id: 'a', tags: [{ key: 'k', value: 'v' }] }],
    ['an empty answer', {}],
    ['a top-level list', Array.from({ length: 500 }, (_, i) => i)],
    ['a string', 'text'],
    ['null', null],
  ];
  it.each(cases)('%s: the joined pieces are JSON.stringify', (_name, v) => {
    expect(joined(v)).toBe(JSON.stringify(v));
  });

  it('splits a long list into pieces of about 16 kB and leaves short answers whole', () => {
    const history = jsonPieces({ metrics: Array.from({ length: 10_000 }, (_, i) => ({ key: 'loss', value: i / 3, timestamp: i, step: i })) });
    expect(Array.isArray(history)).toBe(true);
    const sizes = (history as string[]).map((p) => p.length);
    expect(sizes.length).toBeGreaterThan(30);
    expect(Math.max(...sizes)).toBeLessThan(2 * 16 * 1024);
    expect(typeof jsonPieces({ runs: Array.from({ length: 63 }, (_, i) => run(i)) })).toBe('string');
    expect(typeof jsonPieces({ xs: Array.from({ length: 100 }, (_, i) => ({ toJSON: () => i })) })).not.toBe('string');
  });

  it('sends a written list as it is, and gives its items to anything else that serializes it', () => {
    const list = new WrittenList(['{"a":1},{"a":2}', ',{"a":3}']);
    expect(jsonPieces({ metrics: list })).toEqual(['{"metrics":[', '{"a":1},{"a":2}', ',{"a":3}', ']}']);
    expect(joined({ x: 1, metrics: list, y: 'z' })).toBe('{"x":1,"metrics":[{"a":1},{"a":2},{"a":3}],"y":"z"}');
    expect(JSON.stringify({ metrics: list })).toBe('{"metrics":[{"a":1},{"a":2},{"a":3}]}');
    expect(joined({ metrics: new WrittenList([]) })).toBe('{"metrics":[]}');
  });

  it('joinedText gives a body back as text, split or not', () => {
    expect(joinedText(['{"a":', '1}'])).toBe('{"a":1}');
    expect(joinedText('{"a":1}')).toBe('{"a":1}');
    expect(joinedText(Buffer.from('{"ü":1}'))).toBe('{"ü":1}');
  });
});

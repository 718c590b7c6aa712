/**
 * Hostile search input: huge or deeply nested filters and `order_by` items are refused with
 * INVALID_PARAMETER_VALUE (sqlparse's limits) instead of freezing or crashing the parser, and
 * the registry's filters go through the same tokenizer with the same rules.
 */
import { describe, expect, it } from 'vitest';
import { errorOf } from '../support/errors.js';
import { parseExperimentFilter, parseRunFilter, parseRunOrderBy } from '../../src/tracking/search/index.js';
import { tokenize, MAX_DEPTH, MAX_TOKENS } from '../../src/tracking/search/tokenize.js';
import { parseModelVersionFilter, parseRegisteredModelFilter } from '../../src/stores/sql/registry/filter.js';

const MB = 1024 * 1024;

describe('search limits', () => {
  it.each([
    ['semicolons', 'a;'.repeat(MB / 2)],
    ['open parentheses', '('.repeat(MB)],
    ['words', 'a '.repeat(MB / 2)],
    ['comparisons', 'metrics.a > 1 and '.repeat(MB / 18) + 'metrics.a > 1'],
  ])('refuses a 1 MB filter of %s with a clear message', (_name, filter) => {
    for (const parse of [parseRunFilter, parseExperimentFilter, parseRegisteredModelFilter, parseModelVersionFilter]) {
      const e = errorOf(() => parse(filter));
      expect(e.errorCode).toBe('INVALID_PARAMETER_VALUE');
    }
    expect(errorOf(() => parseRunOrderBy([filter])).errorCode).toBe('INVALID_PARAMETER_VALUE');
  });

  it('names the token limit', () => {
    expect(errorOf(() => parseRunFilter('a '.repeat(MAX_TOKENS))).message).toMatch(/more than 10000 tokens/);
  });

  it('pairs parentheses without recursion, up to the depth limit', () => {
    const ok = '('.repeat(MAX_DEPTH) + 'x' + ')'.repeat(MAX_DEPTH);
    const top = tokenize(ok);
    expect(top).toHaveLength(1);
    expect(top[0]!.kind).toBe('paren');
    const deeper = '('.repeat(MAX_DEPTH + 1) + 'x' + ')'.repeat(MAX_DEPTH + 1);
    expect(errorOf(() => tokenize(deeper)).message).toMatch(/more than 100 nested parentheses/);
  });

  it('leaves unbalanced brackets as loose tokens, as sqlparse does', () => {
    expect(tokenize('( (a) )) (').map((t) => [t.kind, t.text])).toEqual([
      ['paren', '( (a) )'],
      ['other', ')'],
      ['ws', ' '],
      ['other', '('],
    ]);
    expect(tokenize('( (a)').map((t) => t.kind)).toEqual(['other', 'ws', 'paren']);
  });

  it('accepts a long single string literal (one token)', () => {
    const value = 'x'.repeat(MB);
    expect(parseRunFilter(`params.p = '${value}'`)).toEqual([{ type: 'param', key: 'p', comparator: '=', value }]);
  });

  it('registry filters follow the tracking grammar: a trailing ; is an invalid clause, lists are Python literals', () => {
    expect(errorOf(() => parseRegisteredModelFilter("name = 'a' ;")).message).toBe('Invalid clause(s) in filter string: ;');
    expect(errorOf(() => parseModelVersionFilter("name = 'a'; name = 'b'")).message).toBe(
      "Search filter contained multiple expression \"name = 'a'; name = 'b'\". Provide AND-ed expression list.",
    );
    expect(parseModelVersionFilter("run_id IN ('ab', 'cd')")).toEqual([
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['ab', 'cd'] },
    ]);
  });
});

/**
 * The one tokenizer behind every search filter and `order_by` item (runs, experiments, registered
 * models, model versions): the subset of sqlparse that MLflow's `SearchUtils` relies on.
 *
 * Work is linear in the input: every regex is anchored (sticky) and stops at the next quote or at
 * a character outside its class; parentheses are paired with a stack, never by recursion (so
 * `((((…` cannot overflow the call stack); nothing rescans what it has passed.
 *
 * The limits are sqlparse's own (0.5.4 and later, what a current MLflow install parses with): at
 * most 10,000 tokens and 100 nested parentheses. sqlparse counts tokens per group; mlf counts the
 * whole input, so the scan stops early on a huge one.
 *
 * @example
 * tokenize("metrics.a > 1 and run_id IN ('a')")
 * // ident, ws, op, ws, number, ..., and a `paren` token whose `inner` holds the string
 */
import { MlfError } from '../../lib/errors.js';

export type TokenKind =
  | 'ws'
  | 'ident'
  | 'string'
  | 'number'
  | 'op'
  | 'arith'
  | 'operation'
  | 'keyword'
  | 'paren'
  | 'comma'
  | 'semicolon'
  | 'other';

export interface Token {
  kind: TokenKind;
  /** The source text, as MLflow shows it in messages. */
  text: string;
  /** Upper-cased text, for keywords and word comparators. */
  upper?: string;
  /** Inner tokens of a parenthesis. */
  inner?: Token[];
}

// Words sqlparse treats as keywords where MLflow's grammar cares. LIKE/ILIKE are comparison operators.
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'BETWEEN', 'TRUE', 'FALSE', 'LIKE', 'ILIKE']);

const RE_WS = /\s+/y;
// sqlparse's string forms: a doubled quote or a backslash-quote stays inside the string.
const RE_SQ = /'(?:''|\\'|[^'])*'/y;
const RE_DQ = /"(?:""|\\"|[^"])*"/y;
const RE_BT = /`(?:``|[^`])*`/y;
// sqlparse's number forms: 1, -1, 1.5, 1., .5, 1e5, 1E-5 (no `e+5`).
const RE_NUM = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]-?\d+)?(?![\p{L}\p{N}_])/uy;
const RE_ARITH = /[-+*/%^&|@#]+/y;
const RE_WORD = /[\p{L}\p{N}_$]+/uy;
const RE_OP = /[<>=~!]+/y;

/** sqlparse's `MAX_GROUPING_TOKENS`. */
export const MAX_TOKENS = 10_000;
/** sqlparse's `MAX_GROUPING_DEPTH`. */
export const MAX_DEPTH = 100;

const tooComplex = (what: string) =>
  new MlfError(`Invalid search expression: more than ${what}. Simplify the filter.`, 'INVALID_PARAMETER_VALUE');

function matchAt(re: RegExp, s: string, i: number): string | null {
  re.lastIndex = i;
  const m = re.exec(s);
  return m ? m[0] : null;
}

/** One identifier part: a word or a quoted name. Single quotes only after a dot (`params.'a b'`). */
function identPart(s: string, i: number, afterDot: boolean): string | null {
  return (
    matchAt(RE_WORD, s, i) ??
    matchAt(RE_DQ, s, i) ??
    matchAt(RE_BT, s, i) ??
    (afterDot ? matchAt(RE_SQ, s, i) : null)
  );
}

/** A flat token with its start offset; parentheses are single-character tokens here. */
interface FlatToken extends Token {
  start: number;
}

/** One left-to-right pass; no token depends on what surrounds it, so this never looks back. */
function scan(s: string): FlatToken[] {
  const out: FlatToken[] = [];
  let i = 0;
  while (i < s.length) {
    if (out.length >= MAX_TOKENS) throw tooComplex(`${MAX_TOKENS} tokens`);
    const c = s[i]!;
    const start = i;
    let t: string | null;
    if ((t = matchAt(RE_WS, s, i))) out.push({ kind: 'ws', text: t, start });
    else if (c === '(' || c === ')') out.push({ kind: 'other', text: (t = c), start });
    else if (c === ',') out.push({ kind: 'comma', text: (t = c), start });
    else if (c === ';') out.push({ kind: 'semicolon', text: (t = c), start });
    else if ((t = matchAt(RE_SQ, s, i))) out.push({ kind: 'string', text: t, start });
    else if ((t = matchAt(RE_NUM, s, i))) out.push({ kind: 'number', text: t, start });
    else if ((t = matchAt(RE_OP, s, i))) out.push({ kind: 'op', text: t, upper: t, start });
    else if ((t = matchAt(RE_ARITH, s, i))) out.push({ kind: 'arith', text: t, start });
    else if ((t = identPart(s, i, false)) !== null) {
      // A dotted identifier: part(.part)*, e.g. metrics.acc, params."a b", tags.`x.y`, `metrics`.m
      let j = i + t.length;
      let dotted = false;
      for (;;) {
        if (s[j] !== '.') break;
        const next = identPart(s, j + 1, true);
        if (next === null) break;
        dotted = true;
        j += 1 + next.length;
      }
      t = s.slice(i, j);
      const upper = t.toUpperCase();
      if (!dotted && KEYWORDS.has(upper)) {
        out.push({ kind: upper === 'LIKE' || upper === 'ILIKE' ? 'op' : 'keyword', text: t, upper, start });
      } else {
        out.push({ kind: 'ident', text: t, start });
      }
    } else out.push({ kind: 'other', text: (t = c), start });
    i += t.length;
  }
  return out;
}

/**
 * Tokens with balanced parentheses grouped (`paren`, with `inner` tokens), as sqlparse groups
 * them; an unbalanced bracket stays a loose `other` token.
 */
export function tokenize(s: string): Token[] {
  const flat = scan(s);
  // Which brackets pair up: a stack of open indices, one pass. Pairs nest, so a paired `)` always
  // closes the innermost group still open.
  const pairedOpen = new Set<number>();
  const pairedClose = new Set<number>();
  const opens: number[] = [];
  for (let k = 0; k < flat.length; k++) {
    const t = flat[k]!;
    if (t.kind !== 'other') continue;
    if (t.text === '(') opens.push(k);
    else if (t.text === ')' && opens.length > 0) {
      pairedOpen.add(opens.pop()!);
      pairedClose.add(k);
    }
  }
  const root: Token[] = [];
  const stack: { tokens: Token[]; start: number }[] = [];
  let level = root;
  for (let k = 0; k < flat.length; k++) {
    const t = flat[k]!;
    if (pairedOpen.has(k)) {
      if (stack.length >= MAX_DEPTH) throw tooComplex(`${MAX_DEPTH} nested parentheses`);
      stack.push({ tokens: level, start: t.start });
      level = [];
    } else if (pairedClose.has(k)) {
      const { tokens: parent, start } = stack.pop()!;
      parent.push({ kind: 'paren', text: s.slice(start, t.start + 1), inner: level });
      level = parent;
    } else {
      level.push(t.upper === undefined ? { kind: t.kind, text: t.text } : { kind: t.kind, text: t.text, upper: t.upper });
    }
  }
  return root;
}

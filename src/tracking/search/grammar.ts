/**
 * Grammar helpers shared by every search filter (runs, experiments, registry): statements and
 * comparisons grouped as sqlparse groups them, string lists, `order_by` items, and the way MLflow
 * prints sets in its messages. Each helper is one pass over the tokens of `tokenize.ts`.
 */
import { MlfError } from '../../lib/errors.js';
import { pyRepr } from '../py-format.js';
import { tokenize, type Token } from './tokenize.js';

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');

// ---------------------------------------------------------------- statements and comparisons

export interface RawComparison {
  left: Token;
  op: string;
  right: Token;
}

type Item = { comparison: RawComparison; text: string } | { token: Token };

const isOperand = (t: Token | undefined) =>
  t !== undefined &&
  (t.kind === 'ident' ||
    t.kind === 'string' ||
    t.kind === 'number' ||
    t.kind === 'paren' ||
    t.kind === 'operation' ||
    t.upper === 'NULL');

/**
 * Drops whitespace and folds arithmetic (`metrics.val-loss`, `1+2`) into one operand, as sqlparse
 * groups an Operation, so MLflow's messages name the whole expression.
 */
function groupOperations(tokens: Token[]): Token[] {
  const out: Token[] = [];
  const nextSolid = (k: number) => {
    while (k < tokens.length && tokens[k]!.kind === 'ws') k++;
    return k;
  };
  for (let k = nextSolid(0); k < tokens.length; k = nextSolid(k)) {
    const t = tokens[k]!;
    let end = k + 1;
    if (isOperand(t)) {
      for (;;) {
        const opAt = nextSolid(end);
        const rhsAt = nextSolid(opAt + 1);
        if (tokens[opAt]?.kind !== 'arith' || !isOperand(tokens[rhsAt])) break;
        end = rhsAt + 1;
      }
    }
    if (end === k + 1) out.push(t);
    else out.push({ kind: 'operation', text: tokens.slice(k, end).map((x) => x.text).join('') });
    k = end;
  }
  return out;
}

/**
 * Splits a filter into statements (by `;`), groups comparisons and reports what is neither a
 * comparison nor `AND`. Returns the raw comparisons of the single statement.
 */
export function splitComparisons(filter: string, quoteInvalid: boolean): RawComparison[] {
  const tokens = tokenize(filter);
  // sqlparse: a `;` ends a statement; a trailing empty statement does not count. So there is more
  // than one statement when a `;` comes before the last token that is not whitespace.
  let lastSolid = tokens.length - 1;
  while (lastSolid >= 0 && tokens[lastSolid]!.kind === 'ws') lastSolid--;
  for (let k = 0; k < lastSolid; k++) {
    if (tokens[k]!.kind === 'semicolon') {
      throw invalid(`Search filter contained multiple expression ${pyRepr(filter)}. Provide AND-ed expression list.`);
    }
  }
  const toks = groupOperations(tokens);
  const items: Item[] = [];
  for (let k = 0; k < toks.length; ) {
    const a = toks[k]!;
    const b = toks[k + 1];
    const c = toks[k + 2];
    const d = toks[k + 3];
    if (isOperand(a) && b?.kind === 'op' && isOperand(c)) {
      items.push({ comparison: { left: a, op: b.upper!, right: c! }, text: `${a.text} ${b.text} ${c!.text}` });
      k += 3;
    } else if (isOperand(a) && b?.upper === 'NOT' && (c?.upper === 'LIKE' || c?.upper === 'ILIKE') && isOperand(d)) {
      // sqlparse reads `NOT LIKE` as one comparison operator; MLflow then refuses the comparator.
      items.push({ comparison: { left: a, op: `NOT ${c.upper}`, right: d! }, text: `${a.text} NOT ${c.text} ${d!.text}` });
      k += 4;
    } else if (a.kind === 'ident' && b?.upper === 'IN' && c?.kind === 'paren') {
      items.push({ comparison: { left: a, op: 'IN', right: c }, text: `${a.text} ${b.text} ${c.text}` });
      k += 3;
    } else if (a.kind === 'ident' && b?.upper === 'NOT' && c?.upper === 'IN' && d?.kind === 'paren') {
      items.push({ comparison: { left: a, op: 'NOT IN', right: d }, text: `${a.text} NOT IN ${d.text}` });
      k += 4;
    } else {
      items.push({ token: a });
      k += 1;
    }
  }
  const invalids = items.filter((it) => 'token' in it && !(it.token.kind === 'keyword' && it.token.upper === 'AND'));
  if (invalids.length > 0) {
    const shown = invalids.map((it) => ('token' in it ? it.token.text : it.text));
    throw invalid(
      `Invalid clause(s) in filter string: ${quoteInvalid ? shown.map((x) => `'${x}'`).join(', ') : shown.join(', ')}`,
    );
  }
  const out: RawComparison[] = [];
  for (const it of items) {
    if (!('comparison' in it)) continue;
    if (it.comparison.left.kind !== 'ident') {
      throw invalid(`Invalid comparison clause. Expected 'Identifier' found '${it.comparison.left.text}'`);
    }
    out.push(it.comparison);
  }
  return out;
}


/** Python's `str.islower()`: some cased character and no upper/title-case one. */
export function pyIsLower(s: string): boolean {
  return !/[\p{Lu}\p{Lt}]/u.test(s) && /\p{Ll}/u.test(s);
}

/** Unescapes the body of a Python string literal (what `ast.literal_eval` does to list items). */
export function pyUnquote(text: string): string {
  // 'a''b' is two adjacent literals to Python: 'a' 'b' → "ab".
  const body = text.slice(1, -1).replace(/''/g, '');
  return body.replace(/\\(.)/gs, (_m, ch: string) =>
    ch === 'n' ? '\n' : ch === 't' ? '\t' : ch === 'r' ? '\r' : ch === '0' ? '\0' : ch,
  );
}

const ILL_FORMED = 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.';

/** MLflow's `_parse_run_ids`: a parenthesised list of single-quoted strings, lower-case ones kept. */
export function parseStringList(paren: Token): string[] {
  const inner = paren.inner!.filter((t) => t.kind !== 'ws');
  if (inner.length === 0) {
    throw invalid('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  }
  if (inner.length === 1 && inner[0]!.kind !== 'string') throw invalid(ILL_FORMED);
  if (inner.length > 1) {
    if (inner.some((t) => t.kind !== 'string' && t.kind !== 'comma')) {
      throw invalid(
        `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${paren.text}`,
      );
    }
    // Strings and commas must alternate, string first and last (sqlparse makes no list of `('a',)`).
    if (inner.length % 2 === 0) throw invalid(ILL_FORMED);
    for (let k = 0; k < inner.length; k++) {
      if ((k % 2 === 0) !== (inner[k]!.kind === 'string')) throw invalid(ILL_FORMED);
    }
  }
  // MySQL's IN ignores case and run ids are lower-case, so MLflow drops anything else (also for
  // dataset lists, which go through the same code).
  return inner.filter((t) => t.kind === 'string').map((t) => pyUnquote(t.text)).filter(pyIsLower);
}

export function setRepr(items: readonly string[]): string {
  return `{${items.map((x) => `'${x}'`).join(', ')}}`;
}


// ---------------------------------------------------------------- order_by

/**
 * `_parse_order_by_string`: `<identifier> [ASC|DESC]`. Returns the identifier text without
 * quotes around its parts (as MLflow's shlex pass leaves it) and the direction.
 */
export function parseOrderByString(clause: string): { identifier: string; ascending: boolean } {
  const cannotParse = () => invalid(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  if (typeof clause !== 'string') throw cannotParse();
  const toks = tokenize(clause).filter((t) => t.kind !== 'ws');
  if (toks.length === 0 || toks.length > 2 || toks[0]!.kind !== 'ident') throw cannotParse();
  let ascending = true;
  if (toks.length === 2) {
    const dir = toks[1]!;
    if (dir.kind !== 'ident' && dir.kind !== 'keyword') throw cannotParse();
    const d = dir.text.toLowerCase();
    if (d !== 'asc' && d !== 'desc') throw invalid(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = d === 'asc';
  }
  return { identifier: toks[0]!.text, ascending };
}


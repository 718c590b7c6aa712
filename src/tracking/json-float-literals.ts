/**
 * `JSON.parse` that remembers which integral numbers were written as floats (`9.0`, `1e3`), as
 * Python's `json` reads them: MLflow's messages print those as floats, so {@link ./py-format.ts}
 * needs to tell a written `9.0` from `9`.
 *
 * Request bodies go up to 64 MiB and are parsed on the server's event loop, so the work is linear
 * and close to `JSON.parse` alone: `JSON.parse` builds the value, one scan of the text looks for a
 * float-written integral number (most bodies have none and stop there), and only then a second scan
 * walks the text's structure beside the parsed value to note where they are. A reviver would do
 * the same job many times slower (seconds for a few MiB of numbers).
 *
 * @example
 * const o = parseJsonKeepingFloats('{"a": 9.0, "b": 9}') as Record<string, unknown>;
 * isFloatLiteral(o, 'a'); // true
 * isFloatLiteral(o, 'b'); // false
 */

/**
 * Members of one object or array holding an integral number written with a fraction or exponent:
 * an object's keys (a list, a Set once there are many: a Set per object costs more than the parse),
 * one byte per index of an array.
 */
type Marks = string[] | Set<string> | Uint8Array;

const floatLiterals = new WeakMap<object, Marks>();

/** Whether `holder[key]` is an integral number that the JSON text wrote as a float. */
export function isFloatLiteral(holder: unknown, key: string | number): boolean {
  if (typeof holder !== 'object' || holder === null) return false;
  const marks = floatLiterals.get(holder);
  if (marks === undefined) return false;
  if (marks instanceof Uint8Array) return marks[Number(key)] === 1;
  return marks instanceof Set ? marks.has(String(key)) : marks.includes(String(key));
}

/** `JSON.parse`, remembering integral numbers written as floats (see {@link isFloatLiteral}). Throws as JSON.parse. */
export function parseJsonKeepingFloats(text: string): unknown {
  const value = JSON.parse(text); // first: the scans below assume valid JSON
  if (hasIntegralFloat(text)) markIntegralFloats(text, value);
  return value;
}

const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const DOT = 46;
const D0 = 48;
const D9 = 57;

/** Index of the quote closing the string that opens at `i` (valid JSON: there is one). */
function stringEnd(text: string, i: number): number {
  for (;;) {
    const j = text.indexOf('"', i + 1);
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j; // an even run of backslashes escapes nothing
    i = j;
  }
}

/**
 * End of the number token starting at `i`, negated when the number is integral but written with a
 * fraction or an exponent. Up to 15 digits without an exponent the decimal is exact in a double, so
 * the digits decide; longer ones and exponents (`1e400` is Infinity, `1e-400` is 0) are converted.
 */
function scanNumber(text: string, i: number): number {
  let dot = false;
  let exp = false;
  let fraction = false; // a non-zero digit after the dot
  let e = i;
  for (; e < text.length; e++) {
    const c = text.charCodeAt(e);
    if (c >= D0 && c <= D9) {
      if (dot && !exp && c !== D0) fraction = true;
    } else if (c === DOT) dot = true;
    else if (c === 101 /* e */ || c === 69 /* E */) exp = true;
    else if (c !== MINUS && c !== 43 /* + */) break;
  }
  if (!dot && !exp) return e;
  const integral = !exp && e - i <= 16 ? !fraction : Number.isInteger(Number(text.slice(i, e)));
  return integral ? -e : e;
}

/** Whether any number of the (valid) JSON text is integral but written as a float. */
function hasIntegralFloat(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === MINUS || (c >= D0 && c <= D9)) {
      const e = scanNumber(text, i);
      if (e < 0) return true;
      i = e - 1;
    }
  }
  return false;
}

/** An object or array being walked: the parsed container (null where the text's one was replaced by a duplicate key) and its current member. */
interface Frame {
  holder: object | null;
  isArray: boolean;
  index: number;
  keyStart: number; // the current key's string token, quotes included
  keyEnd: number;
  expectKey: boolean;
  marks: Marks | undefined;
}

/** The current member's key (objects only). */
function keyOf(text: string, f: Frame): string {
  const raw = text.slice(f.keyStart + 1, f.keyEnd - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(f.keyStart, f.keyEnd)) as string) : raw;
}

/** Notes the frame's current member as a float-written integral (`on`), or clears an earlier duplicate's note. */
function setMark(text: string, f: Frame, on: boolean): void {
  if (f.holder === null) return;
  let m = f.marks;
  if (m === undefined) {
    if (!on) return;
    m = f.isArray ? new Uint8Array((f.holder as unknown[]).length) : [];
    floatLiterals.set(f.holder, (f.marks = m));
  }
  if (m instanceof Uint8Array) {
    m[f.index] = on ? 1 : 0;
    return;
  }
  const key = keyOf(text, f);
  if (m instanceof Set) {
    if (on) m.add(key);
    else m.delete(key);
    return;
  }
  const at = m.indexOf(key);
  if (on && at < 0) {
    m.push(key);
    if (m.length > 8) floatLiterals.set(f.holder, (f.marks = new Set(m)));
  } else if (!on && at >= 0) m.splice(at, 1);
}

/**
 * Walks the text's structure beside `root` (what `JSON.parse` made of it) and notes each member
 * whose number is integral but written as a float. Members are visited in text order, so with a
 * duplicate key the last one decides, as in the parsed value (and in Python).
 */
function markIntegralFloats(text: string, root: unknown): void {
  const frames: Frame[] = []; // reused by depth
  let depth = -1;
  let top: Frame | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      let holder: unknown = root;
      if (top) {
        setMark(text, top, false);
        const key = top.isArray ? top.index : keyOf(text, top);
        holder = top.holder !== null && Object.hasOwn(top.holder, key) ? (top.holder as Record<string | number, unknown>)[key] : null;
      }
      const isArray = c === 91;
      // null: this container was replaced by a later duplicate key's value of another kind
      const h = typeof holder === 'object' && holder !== null && Array.isArray(holder) === isArray ? holder : null;
      top = frames[++depth] ??= { holder: null, isArray, index: 0, keyStart: 0, keyEnd: 0, expectKey: false, marks: undefined };
      top.holder = h;
      top.isArray = isArray;
      top.index = 0;
      top.expectKey = !isArray;
      top.marks = h ? floatLiterals.get(h) : undefined;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      top = depth > 0 ? frames[--depth] : ((depth = -1), undefined);
    } else if (c === 44 /* , */) {
      if (top!.isArray) top!.index++;
      else top!.expectKey = true;
    } else if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.expectKey) {
        top.keyStart = i;
        top.keyEnd = end + 1;
        top.expectKey = false;
      } else if (top) setMark(text, top, false);
      i = end;
    } else if (c === MINUS || (c >= D0 && c <= D9)) {
      const e = scanNumber(text, i);
      if (top) setMark(text, top, e < 0);
      i = Math.abs(e) - 1;
    } else if (c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
      if (top) setMark(text, top, false);
      i += c === 102 ? 4 : 3;
    }
  }
}

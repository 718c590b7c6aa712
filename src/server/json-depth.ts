/**
 * A linear pre-scan of a JSON text for its nesting depth, run before `JSON.parse`: a body nested
 * thousands of levels deep is refused with one 400 instead of reaching code that walks the value
 * recursively (and overflows the stack into a 500).
 *
 * @example
 * jsonDepth('{"a": [1, {"b": 2}]}'); // 3
 */

/** The deepest nesting mlf parses in a request body (MLflow's messages never go deeper than a few levels). */
export const MAX_JSON_DEPTH = 100;

/**
 * The most values (commas and brackets, counted by the same scan) a request body may hold. MLflow's largest
 * message, a full log-batch, holds about 8,000; at this bound `JSON.parse` takes tens of milliseconds, where
 * 64 MiB of `[{},{},…]` (22 million values) held the event loop for 20 s.
 */
export const MAX_JSON_VALUES = 200_000;

/**
 * What `JSON.parse` may hold per value beyond the text's own bytes, counted into the server's body
 * budget: 200,000 values of `[{},{},…]` (600 kB) parse to 12.6 MB, and the most measured (Node 20,
 * objects each with a key of its own) was 73 bytes a value. Strings and numbers take about their
 * text's bytes, which the body's own reservation already counts.
 */
export const PARSED_BYTES_PER_VALUE = 96;

/**
 * The nesting depth of `text` read as JSON (brackets inside strings do not count). Stops early
 * once `stopAbove` is passed. Invalid JSON gets a depth too; `JSON.parse` reports it afterwards.
 */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  return jsonShape(text, stopAbove).depth;
}

/**
 * The nesting depth of `text` and how many values it holds (one per comma and per opening bracket, plus
 * one), read in one pass; stops as soon as the depth passes `stopAbove` or the count `valuesAbove`.
 */
export function jsonShape(text: string, stopAbove = Infinity, valuesAbove = Infinity): { depth: number; values: number } {
  let depth = 0;
  let max = 0;
  let values = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 44 /* , */) {
      if (++values > valuesAbove) break;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++values > valuesAbove) break;
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) break;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return { depth: max, values };
}

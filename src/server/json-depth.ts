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
 * The nesting depth of `text` read as JSON (brackets inside strings do not count). Stops early
 * once `stopAbove` is passed. Invalid JSON gets a depth too; `JSON.parse` reports it afterwards.
 */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/**
 * What `mlf gc` draws on stderr while it plans, only when stderr is a terminal; the bar that
 * follows is src/lib/progress.ts.
 */
import { CLEAR_LINE } from '../lib/progress.js';

/** "Finding ..." while gc plans; `clear()` takes the line away (idempotent). */
export function planningLine(text: string, stream: NodeJS.WriteStream = process.stderr): { clear(): void } {
  if (!stream.isTTY) return { clear: () => undefined };
  stream.write(text);
  let shown = true;
  return {
    clear() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}

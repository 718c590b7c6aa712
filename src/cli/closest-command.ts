/**
 * "Did you mean …?" for an unknown command: the known command id nearest to what was typed, by
 * edit distance over the words (topic separators `:` and ` ` are the same). Pure, so the oclif
 * hook (src/hooks/command-not-found.ts) and a faster launcher can both call it.
 *
 * @example
 * closestCommand('experiment list', ['experiments:list', 'runs:list']) // 'experiments:list'
 * closestCommand('zzz', ['runs:list']) // undefined: nothing is close enough
 */

/** Levenshtein distance (insert, delete, substitute: 1 each). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

const norm = (id: string) => id.trim().toLowerCase().split(/[\s:]+/).filter(Boolean).join(':');

/**
 * The id in `ids` closest to `typed`, or undefined when the best one needs more edits than about
 * a third of its length (so a random word gets no suggestion). Ties go to the earlier id.
 */
export function closestCommand(typed: string, ids: readonly string[]): string | undefined {
  const t = norm(typed);
  if (!t) return undefined;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const id of ids) {
    const n = norm(id);
    // A prefix typed whole ("experiment" for "experiments:list") is cheaper than its raw distance.
    const d = Math.min(editDistance(t, n), n.startsWith(t) ? 1 : Infinity);
    if (d < bestScore) (best = id), (bestScore = d);
  }
  if (best === undefined) return undefined;
  return bestScore <= Math.max(2, Math.ceil(norm(best).length / 3)) ? best : undefined;
}

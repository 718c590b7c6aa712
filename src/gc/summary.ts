/** The text `mlf gc` prints: what would go (dry run), then one summary of what went. */
import type { GcSummary } from './gc.js';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The summary line first, so a dry run over thousands of runs does not bury it; then what was kept
 * or skipped; then, only with `ids` (--show-ids), every id that would go. --json has them all.
 */
export function formatSummary(s: GcSummary, opts: { ids?: boolean } = {}): string[] {
  const lines: string[] = [summaryLine(s)];
  const ownerName = { run: 'run', model: 'logged model', trace: 'trace' } as const;
  for (const a of s.skippedArtifacts) lines.push(`Artifacts of ${ownerName[a.owner ?? 'run']} ${a.runId} skipped (${a.artifactUri}): ${a.reason}`);
  if (s.unknownAge.runIds.length > 0) {
    lines.push(`Kept ${plural(s.unknownAge.runIds.length, 'deleted run')} of unknown age (no deleted_time): ${s.unknownAge.runIds.join(', ')}`);
  }
  if (s.unknownAge.experimentIds.length > 0) {
    lines.push(
      `Kept ${plural(s.unknownAge.experimentIds.length, 'deleted experiment')} of unknown age (no last_update_time): ${s.unknownAge.experimentIds.join(', ')}`,
    );
  }
  if (s.dryRun && opts.ids) {
    for (const id of s.experimentIds) lines.push(`Experiment with ID ${id} would be permanently deleted.`);
    for (const id of s.runIds) lines.push(`Run with ID ${id} would be permanently deleted.`);
  } else if (s.dryRun && s.runs + s.experiments > 0) {
    lines.push('Add --show-ids to list them, or --json.');
  }
  return lines;
}

/** "artifacts of 2 runs", or "3 artifact folders" once logged models' or traces' are among them. */
function skippedWhat(s: GcSummary): string {
  const n = s.artifacts.skipped;
  return s.skippedArtifacts.some((a) => a.owner) ? plural(n, 'artifact folder') : `artifacts of ${plural(n, 'run')}`;
}

function summaryLine(s: GcSummary): string {
  const rowTotal = Object.values(s.rows).reduce((a, b) => a + b, 0);
  const perTable = Object.entries(s.rows)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const verb = s.dryRun ? 'Would purge' : 'Purged';
  const freed = s.dryRun ? 'would free' : 'freed';
  // The SQL store counts table rows; the file store counts the files that stand for them.
  const unit = s.unit === 'files' ? 'file' : 'row';
  return (
    `${verb} ${plural(s.runs, 'run')} and ${plural(s.experiments, 'experiment')} ` +
    `(${plural(rowTotal, unit)}${perTable ? `: ${perTable}` : ''}); ${freed} ${formatBytes(s.artifactBytes)} of artifacts` +
    (s.artifacts.skipped > 0 ? `; ${skippedWhat(s)} skipped` : '') +
    '.'
  );
}

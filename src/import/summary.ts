/** The human summary of an import (the --json output is the ImportResult itself). */
import type { ImportResult } from './importer.js';

export function renderImport(r: ImportResult): string[] {
  const out: string[] = [];
  const verb = r.dryRun ? 'Would copy' : 'Copied';
  if (r.schema.applied.length) out.push(`Target schema: ${r.schema.from ?? 'empty'} -> ${r.schema.to} (${r.schema.applied.length} migration(s)).`);
  out.push(`${r.source} -> ${r.target}${r.dryRun ? ' (dry run: nothing written)' : ''}`);
  out.push(`Experiments: ${r.experiments.total} (${r.experiments.created} new). Runs: ${r.runs.total} (${r.runs.created} new, ${r.runs.updated} changed, ${r.runs.unchanged} unchanged).`);
  const rows = Object.entries(r.rows).filter(([, n]) => n > 0);
  out.push(rows.length ? `${verb} rows: ${rows.map(([t, n]) => `${t} ${n}`).join(', ')}.` : `${verb} nothing: the target is up to date.`);
  const renumbered = Object.entries(r.renumbered);
  if (renumbered.length) {
    out.push(`Experiment ids renumbered (source -> target)${r.idMapFile ? `, written to ${r.idMapFile}` : ''}:`);
    for (const [s, t] of renumbered) out.push(`  ${s} -> ${t}`);
  }
  if (r.skipped.length) {
    out.push(`Skipped ${r.skipped.length} broken item(s):`);
    for (const s of r.skipped) out.push(`  ${s}`);
  }
  if (!r.dryRun) {
    if (r.differences.length) {
      out.push(`Verification FAILED: ${r.differences.length} difference(s) between source and target:`);
      for (const d of r.differences.slice(0, 50)) out.push(`  ${d}`);
      if (r.differences.length > 50) out.push(`  ... and ${r.differences.length - 50} more (see --json)`);
    } else out.push(`Verified: counts per experiment and per run match.`);
  }
  out.push(`Done in ${r.seconds} s.`);
  return out;
}

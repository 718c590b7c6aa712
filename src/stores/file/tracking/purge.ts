/** gc's permanent delete in the file store: run folders and whole experiment folders, counted first. */
import fs from 'node:fs';
import path from 'node:path';
import type { RunInfo } from '../../../tracking/entities.js';
import { experimentsNotDeleted, runNotDeleted } from '../../../tracking/messages.js';
import { validateExperimentId, validateRunId } from '../../../tracking/validation.js';
import type { PurgeResult } from '../../tracking-store.js';
import { assertWritableInside, isTempName, listFilesRecursive, readEntries } from '../fs-io.js';
import { DATASETS, META, TAGS, runInfoFromMeta } from '../layout.js';
import type { ExperimentLocation, FileExecutor, RunLocation } from './executor.js';
import { locateExperiment, readExperiment } from './experiments.js';
import { locateRun, runDirs } from './runs.js';
import { tracesOfExperimentFolder } from '../traces.js';

export async function purgeRuns(f: FileExecutor, runIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
  const found: { loc: RunLocation; info: RunInfo }[] = [];
  const seen = new Set<string>();
  for (const raw of runIds) {
    const id = validateRunId(raw);
    if (seen.has(id)) continue;
    seen.add(id);
    const loc = locateRun(f, id);
    if (!loc) continue; // already gone: purging is idempotent
    const meta = f.readMeta(loc.dir);
    const info = meta ? runInfoFromMeta(meta) : undefined;
    if (info && info.lifecycleStage !== 'deleted') throw runNotDeleted(id);
    found.push({ loc, info: info ?? ({ runId: id } as RunInfo) });
  }
  const rows: Record<string, number> = { runs: 0 };
  for (const { loc } of found) countRunFiles(loc.dir, rows);
  if (!opts.dryRun) {
    for (const { loc } of found) {
      assertWritableInside(f.realRoot, loc.dir);
      fs.rmSync(loc.dir, { recursive: true, force: true });
      f.runLocations.delete(loc.runId);
    }
  }
  return { runIds: found.map((x) => x.loc.runId), experimentIds: [], rows };
}

export async function purgeExperiments(f: FileExecutor, experimentIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
  const targets: ExperimentLocation[] = [];
  const notDeleted: string[] = [];
  for (const raw of new Set(experimentIds)) {
    const id = validateExperimentId(raw);
    const active = locateExperiment(f, id, 'ACTIVE_ONLY');
    if (active) {
      const exp = readExperiment(f, active);
      // An experiment left in the root with a deleted meta (an interrupted delete) still counts as deleted.
      if (!exp || exp.lifecycleStage !== 'deleted') {
        notDeleted.push(id);
        continue;
      }
      targets.push(active);
    }
    const trashed = locateExperiment(f, id, 'DELETED_ONLY');
    if (trashed) targets.push(trashed);
  }
  if (notDeleted.length > 0) throw experimentsNotDeleted(notDeleted);
  const rows: Record<string, number> = { experiments: 0, experiment_tags: 0, datasets: 0, runs: 0, traces: 0 };
  const artifacts: NonNullable<PurgeResult['artifacts']> = [];
  const runIds: string[] = [];
  for (const loc of targets) {
    rows.experiments! += 1;
    const traces = tracesOfExperimentFolder(loc.dir, f.realRoot);
    rows.traces! += traces.count;
    artifacts.push(...traces.artifacts);
    rows.experiment_tags! += listFilesRecursive(path.join(loc.dir, TAGS), f.realRoot).length;
    rows.datasets! += f.listDirs(path.join(loc.dir, DATASETS)).length;
    for (const dir of runDirs(f, loc)) {
      if (!fs.existsSync(path.join(dir, META))) continue;
      runIds.push(path.basename(dir));
      countRunFiles(dir, rows);
    }
  }
  if (!opts.dryRun) {
    for (const loc of targets) {
      assertWritableInside(f.realRoot, loc.dir);
      fs.rmSync(loc.dir, { recursive: true, force: true });
    }
    for (const id of runIds) f.runLocations.delete(id);
  }
  return { runIds, experimentIds: [...new Set(targets.map((t) => t.id))], rows, artifacts };
}

/** Files per run sub-folder (`metrics`, `params`, `tags`, `inputs`, `artifacts`), and one per run. */
function countRunFiles(dir: string, rows: Record<string, number>): void {
  rows.runs = (rows.runs ?? 0) + 1;
  for (const e of readEntries(dir)) {
    if (!e.isDirectory()) continue;
    rows[e.name] = (rows[e.name] ?? 0) + countFiles(path.join(dir, e.name));
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += countFiles(path.join(dir, e.name));
    else if (!isTempName(e.name)) n++;
  }
  return n;
}

/**
 * What a gc killed in the middle of a purge leaves in a file store: a run folder whose
 * `meta.yaml` is already gone (with or without some metric, param or tag files), or a trashed
 * experiment folder without its `meta.yaml`. No listing shows them, so no plan ever names them;
 * the next gc removes them here. A run folder that is empty and new may be a run being created
 * right now (its folder is made just before its meta.yaml), so an empty one is left for a few
 * seconds.
 *
 * @example
 * const removed = await removePurgeLeftovers('/data/mlruns'); // ['/data/mlruns/1/0a1b…']
 */
import fs from 'node:fs';
import path from 'node:path';
import { META, MODELS, RESERVED_EXPERIMENT_FOLDERS, TRASH } from './layout.js';

const RUN_ID = /^[0-9a-f]{32}$/;
const NEW_EMPTY_MS = 5_000;

function dirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

const hasMeta = (dir: string) => fs.existsSync(path.join(dir, META));

/** Removes purge leftovers under a file store root; returns the folders removed. */
export function removePurgeLeftovers(root: string, now = Date.now()): string[] {
  const removed: string[] = [];
  const remove = (dir: string) => {
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  };
  const trash = path.join(root, TRASH);
  const experiments = [
    ...dirs(root)
      .filter((n) => n !== TRASH && n !== MODELS && !n.startsWith('.'))
      .map((n) => path.join(root, n)),
    ...dirs(trash).map((n) => path.join(trash, n)),
  ];
  for (const exp of experiments) {
    if (!hasMeta(exp)) {
      // Only in the trash: an active folder without meta.yaml is not ours to judge.
      if (path.dirname(exp) === trash && dirs(exp).every((n) => RUN_ID.test(n) || RESERVED_EXPERIMENT_FOLDERS.has(n))) remove(exp);
      continue;
    }
    for (const name of dirs(exp)) {
      if (!RUN_ID.test(name)) continue;
      const run = path.join(exp, name);
      if (hasMeta(run)) continue;
      let entries: string[];
      let mtime: number;
      try {
        entries = fs.readdirSync(run);
        mtime = fs.statSync(run).mtimeMs;
      } catch {
        continue;
      }
      if (entries.length === 0 && now - mtime < NEW_EMPTY_MS) continue;
      remove(run);
    }
  }
  return removed;
}

/** `<root>/<exp>/<rest>` → `<root>/.trash/<exp>/<rest>`: where a path is once its experiment is deleted. */
export function trashedPath(root: string, p: string): string | undefined {
  const rel = path.relative(root, p);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel) || rel.startsWith(TRASH)) return undefined;
  return path.join(root, TRASH, rel);
}

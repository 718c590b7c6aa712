/**
 * The file store's counterpart of the SQL executor: every read and write under the root goes
 * through it. Ids and keys become paths only through `joinInside`, reads follow a symlink only
 * when it stays inside the root, writes check their folder's realpath and replace files by rename.
 * It also holds the run-folder cache and reports a corrupt meta.yaml once per file and error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../../../lib/errors.js';
import {
  assertWritableInside,
  joinInside,
  listFilesRecursive,
  readEntries,
  readText,
  readTextInside,
  realpathInside,
  writeAtomic,
} from '../fs-io.js';
import { META, TRASH } from '../layout.js';
import { dumpYaml, parseYaml, type YamlMap } from '../meta-yaml.js';

/** Where an experiment's folder is: `<root>/<id>` (active) or `<root>/.trash/<id>` (deleted). */
export interface ExperimentLocation {
  id: string;
  dir: string;
  inTrash: boolean;
}

export interface RunLocation {
  runId: string;
  experimentId: string;
  experimentDir: string;
  dir: string;
  /** Sub-folders already found readable during this search (saves an lstat per pass). */
  readable?: Set<string>;
}

export class FileExecutor {
  readonly trash: string;
  /** The root with symlinks resolved: every path the store touches must resolve under it. */
  readonly realRoot: string;
  /**
   * run id → folder. Used only after checking that the folder still exists (a run folder is named
   * by its id, so an existing folder is that run); a miss or a moved experiment triggers a rescan.
   */
  readonly runLocations = new Map<string, RunLocation>();
  private readonly warned = new Set<string>();

  constructor(
    /** Absolute path of the store root, as given. */
    readonly root: string,
    /** Default artifact root of new experiments. */
    readonly artifactRoot: string,
    /** Where a corrupt meta.yaml is reported while listings go on. */
    readonly warn: (message: string) => void = warnOnStderr,
  ) {
    this.trash = path.join(root, TRASH);
    this.realRoot = fs.realpathSync.native(root);
  }

  readMeta(dir: string): YamlMap | null {
    const file = path.join(dir, META);
    const text = readText(file);
    if (text === undefined) return null;
    const r = parseMeta(text);
    if ('error' in r) {
      this.reportCorrupt(file, r.error);
      return null;
    }
    return r.meta;
  }

  /** Names a corrupt meta file and why, once per file and error. */
  reportCorrupt(file: string, error: string): void {
    const key = `${file}\u0000${error}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(`skipping ${file}: malformed meta.yaml (${error})`);
  }

  /** The problem with the meta.yaml in `dir`, if it exists and cannot be read as metadata. */
  metaProblem(dir: string): string | undefined {
    const text = readText(path.join(dir, META));
    if (text === undefined) return undefined;
    const r = parseMeta(text);
    return 'error' in r ? r.error : undefined;
  }

  writeMeta(dir: string, meta: YamlMap): void {
    const file = path.join(dir, META);
    assertWritableInside(this.realRoot, file);
    writeAtomic(file, dumpYaml(meta));
  }

  /** Sub-folders of `dir` (real folders, or symlinks to folders inside the root). */
  listDirs(dir: string): string[] {
    const out: string[] = [];
    for (const e of readEntries(dir)) {
      if (e.isDirectory()) out.push(e.name);
      else if (e.isSymbolicLink()) {
        const p = path.join(dir, e.name);
        if (realpathInside(this.realRoot, p) && fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) out.push(e.name);
      }
    }
    return out;
  }

  /**
   * Whether `<owner>/<folder>` can be read through: a real folder, or a symlink that resolves inside
   * the root. The owner folder itself always comes from a checked listing or lookup.
   */
  folderReadable(dir: string): boolean {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isDirectory()) return true;
    return st.isSymbolicLink() && realpathInside(this.realRoot, dir);
  }

  isDirInside(dir: string): boolean {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isDirectory()) return true;
    return st.isSymbolicLink() && realpathInside(this.realRoot, dir) && !!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory();
  }

  /**
   * `<folder>/<key>` of a run or experiment, or undefined if absent. The folder is checked with
   * {@link folderReadable} (pass `checked` when the caller already did); a key with '/' has
   * folders in between, so the file's realpath is checked too. The file itself is opened with
   * O_NOFOLLOW (a symlink there is followed only when it stays inside the root).
   */
  readKeyFile(ownerDir: string, folder: string, key: string, checked = false): string | undefined {
    const dir = ownerDir + path.sep + folder;
    if (!checked && !this.folderReadable(dir)) return undefined;
    if (key.includes('/')) {
      let file: string;
      try {
        file = joinInside(dir, key);
      } catch {
        return undefined;
      }
      if (!fs.existsSync(file) || !realpathInside(this.realRoot, file)) return undefined;
      return readTextInside(file, this.realRoot);
    }
    return readTextInside(dir + path.sep + key, this.realRoot);
  }

  readKeyValues(ownerDir: string, folder: string): { key: string; value: string }[] {
    const dir = path.join(ownerDir, folder);
    const out: { key: string; value: string }[] = [];
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st || (st.isSymbolicLink() && !realpathInside(this.realRoot, dir))) return out;
    for (const key of listFilesRecursive(dir, this.realRoot)) {
      const value = readTextInside(path.join(dir, key), this.realRoot);
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }

  /** Replaces `<owner>/<folder>/<key>` (raw value, no newline) by rename. */
  writeKeyFile(ownerDir: string, folder: string, key: string, value: string): void {
    const file = joinInside(path.join(ownerDir, folder), key);
    assertWritableInside(this.realRoot, file);
    writeAtomic(file, value);
  }

  /** Removes `<owner>/<folder>/<key>` (the caller checked that it exists). */
  removeKeyFile(ownerDir: string, folder: string, key: string): void {
    const file = joinInside(path.join(ownerDir, folder), key);
    assertWritableInside(this.realRoot, file);
    fs.rmSync(file);
  }
}

/** A meta.yaml's mapping, or the YAML error (its first line) when it is not one. */
export function parseMeta(text: string): { meta: YamlMap } | { error: string } {
  try {
    const meta = parseYaml(text);
    return meta ? { meta } : { error: text.trim() === '' ? 'the file is empty' : 'not a YAML mapping' };
  } catch (e) {
    return { error: String((e as Error)?.message ?? e).split('\n')[0]! };
  }
}

export function corruptMeta(what: string, file: string, problem: string): MlfError {
  return new MlfError(`${what} metadata is corrupt: ${file}: ${problem}`, 'INVALID_STATE');
}

function warnOnStderr(message: string): void {
  process.stderr.write(`Warning: ${message}\n`);
}

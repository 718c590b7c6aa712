/**
 * A local-folder artifact repository: what `mlf server` uses for the `mlflow-artifacts` proxy
 * (rooted at `--artifacts-destination`) and for `artifacts/list` on runs whose artifacts live in a
 * local folder.
 *
 * Every path a request names goes through ONE function, {@link resolveArtifactPath}, which refuses
 * anything that could leave the root: `..` segments (also percent-encoded, any number of times),
 * absolute POSIX or Windows paths, backslashes, NUL bytes, `#`, `file:` URIs, and symlinks (inside
 * the root) that point outside it. MLflow checks the same strings (`validate_path_is_safe`) but does
 * not follow symlinks; mlf does, on purpose.
 *
 * @example
 * const repo = new LocalArtifactRepository('/srv/mlartifacts');
 * await repo.write('1/abc/artifacts/model.pkl', stream);
 * await repo.list('1/abc/artifacts'); // [{ path: '1/abc/artifacts/model.pkl', isDir: false, fileSize: 123 }]
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { MlfError } from '../lib/errors.js';

export interface FileInfo {
  /** Relative to the repository root, `/`-separated. */
  path: string;
  isDir: boolean;
  /** Bytes; undefined for folders. */
  fileSize?: number;
}

const INVALID_PATH = () => new MlfError('Invalid path', 'INVALID_PARAMETER_VALUE');

/** Percent-decode until stable (MLflow's `_decode`), so `%252e%252e` is seen as `..`. */
function decodeFully(p: string): string {
  let cur = p;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(cur);
    } catch {
      return cur;
    }
    if (next === cur) return cur;
    cur = next;
  }
  return cur;
}

/**
 * Checks a request-supplied relative artifact path the way MLflow's `validate_path_is_safe` does and
 * returns it decoded and normalised (`a//b/./c` → `a/b/c`; `''` for the root).
 * Throws `INVALID_PARAMETER_VALUE` "Invalid path".
 */
export function validateArtifactPath(raw: string): string {
  const p = decodeFully(raw);
  if (p.includes('#') || p.includes('\0') || p.includes('\\')) throw INVALID_PATH();
  if (/^file:/i.test(p)) throw INVALID_PATH();
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p)) throw INVALID_PATH();
  const parts = p.split('/');
  if (parts.includes('..')) throw INVALID_PATH();
  return parts.filter((s) => s !== '' && s !== '.').join('/');
}

/**
 * THE path check: the absolute filesystem path of `rel` under `root`, or `INVALID_PARAMETER_VALUE`
 * "Invalid path" if it would lead outside `root`, whether by its text or through a symlink.
 * `root` must be absolute. The file itself need not exist.
 */
export async function resolveArtifactPath(root: string, rel: string): Promise<string> {
  const clean = validateArtifactPath(rel);
  const realRoot = await realpathOrSelf(root);
  const target = clean === '' ? realRoot : path.join(realRoot, ...clean.split('/'));
  if (!isInside(realRoot, target)) throw INVALID_PATH();
  // Follow symlinks on the longest existing prefix: a link inside the root may point anywhere.
  let existing = target;
  let rest = '';
  for (;;) {
    try {
      const real = await fsp.realpath(existing);
      if (!isInside(realRoot, real)) throw INVALID_PATH();
      return rest ? path.join(real, rest) : real;
    } catch (e) {
      if (e instanceof MlfError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      if (existing === realRoot) return target;
      rest = rest ? path.join(path.basename(existing), rest) : path.basename(existing);
      existing = path.dirname(existing);
    }
  }
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await fsp.realpath(p);
  } catch {
    return path.resolve(p);
  }
}

export class LocalArtifactRepository {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Entries directly under `rel` (the root if empty), sorted by path; [] if it is not a folder. */
  async list(rel = ''): Promise<FileInfo[]> {
    const dir = await resolveArtifactPath(this.root, rel);
    const base = validateArtifactPath(rel);
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw e;
    }
    const out: FileInfo[] = [];
    for (const ent of entries) {
      const relPath = base ? `${base}/${ent.name}` : ent.name;
      let isDir = ent.isDirectory();
      let size: number | undefined;
      if (ent.isSymbolicLink() || !isDir) {
        // A symlink that leaves the root is not listed; one that stays inside is listed as its target.
        let full: string;
        try {
          full = await resolveArtifactPath(this.root, relPath);
        } catch {
          continue;
        }
        const st = await fsp.stat(full).catch(() => null);
        if (!st) continue;
        isDir = st.isDirectory();
        if (!isDir) size = st.size;
      }
      out.push(isDir ? { path: relPath, isDir } : { path: relPath, isDir, fileSize: size });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** An open file for download, with its size; `RESOURCE_DOES_NOT_EXIST` if missing or a folder. */
  async open(rel: string): Promise<{ stream: fs.ReadStream; size: number; fullPath: string }> {
    const full = await resolveArtifactPath(this.root, rel);
    const st = await fsp.stat(full).catch(() => null);
    if (!st || !st.isFile()) {
      throw new MlfError(`No such file or directory: '${validateArtifactPath(rel)}'`, 'RESOURCE_DOES_NOT_EXIST');
    }
    return { stream: fs.createReadStream(full), size: st.size, fullPath: full };
  }

  /** Writes (replaces) a file, creating parent folders. Written to a temp name first, then renamed. */
  async write(rel: string, data: Readable | Uint8Array): Promise<void> {
    const clean = validateArtifactPath(rel);
    if (clean === '') throw INVALID_PATH();
    const full = await resolveArtifactPath(this.root, clean);
    await fsp.mkdir(path.dirname(full), { recursive: true });
    // mkdir may have walked through a symlink created meanwhile: check again before writing.
    await resolveArtifactPath(this.root, clean);
    const tmp = `${full}.mlf-upload-${process.pid}-${Date.now()}`;
    try {
      if (data instanceof Uint8Array) await fsp.writeFile(tmp, data);
      else await pipeline(data, fs.createWriteStream(tmp));
      await fsp.rename(tmp, full);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  /** Removes a file or a folder tree; nothing happens if it does not exist. The root itself is refused. */
  async delete(rel: string): Promise<void> {
    const clean = validateArtifactPath(rel);
    if (clean === '') throw INVALID_PATH();
    const full = await resolveArtifactPath(this.root, clean);
    await fsp.rm(full, { recursive: true, force: true });
  }
}

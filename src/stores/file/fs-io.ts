/**
 * The file store's disk I/O: safe path joins, atomic writes, appends, reads and recursive listings.
 * Synchronous on purpose: in the tight loops of a search, sync calls are several times faster than
 * promises, and every call here touches one small file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../../lib/errors.js';

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** A path outside the store root (or a symlink leading there): refused, never followed. */
export function outsideRoot(p: string): MlfError {
  return new MlfError(`Refusing to access '${p}': it resolves outside the tracking store's root.`, 'INVALID_PARAMETER_VALUE');
}

/**
 * Joins path segments under `base` and refuses any result that is not strictly inside it
 * (`..`, absolute segments, NUL bytes). Keys reach here already validated; this is the second lock.
 */
export function joinInside(base: string, ...parts: string[]): string {
  for (const p of parts) if (p.includes('\0') || path.isAbsolute(p)) throw outsideRoot(p.replace(/\0/g, '\\0'));
  const out = path.join(base, ...parts);
  const rel = path.relative(base, out);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw outsideRoot(out);
  return out;
}

/** Is `p` (which must exist) inside `realRoot` once every symlink on the way is resolved? */
export function realpathInside(realRoot: string, p: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync.native(p);
  } catch {
    return false;
  }
  return real === realRoot || real.startsWith(realRoot + path.sep);
}

/** The nearest existing ancestor of `p` (or `p` itself). */
function existingAncestor(p: string): string {
  let cur = p;
  for (;;) {
    if (fs.existsSync(cur)) return cur;
    const up = path.dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
}

/**
 * Before writing `file`: its folder (or the part of it that exists) must resolve inside the
 * root, so a symlinked `params/` or run folder cannot carry a write outside. The file itself is
 * written by rename or opened with O_NOFOLLOW, so a symlink in its place is not followed.
 */
export function assertWritableInside(realRoot: string, file: string): void {
  if (!realpathInside(realRoot, existingAncestor(path.dirname(file)))) throw outsideRoot(file);
}

function tempName(file: string): string {
  // '~' cannot appear in a valid key, so readers can tell a half-written temp file from a param or
  // tag. The key itself is not in the name: a 250-character key plus a suffix would pass NAME_MAX.
  return path.join(path.dirname(file), `.~${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `data` to a temp file in the same folder and renames it over `file`: readers see old or new, never half. */
export function writeAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  try {
    fs.writeFileSync(tmp, data, { flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates `file` with `data` only if it does not exist yet, atomically (a hard link of a complete
 * temp file: two writers racing on one param cannot both win). Returns undefined when created, or
 * the content already there.
 */
export function createExclusive(file: string, data: string): string | undefined {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  fs.writeFileSync(tmp, data, { flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      // No hard links on this file system: fall back to check-then-rename.
      if (fs.existsSync(file)) return readText(file) ?? '';
      fs.renameSync(tmp, file);
      return undefined;
    }
    return readText(file) ?? '';
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Appends with one `write(2)` on an O_APPEND descriptor, so concurrent writers interleave whole lines. */
export function appendLines(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW, 0o666);
  try {
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
  } finally {
    fs.closeSync(fd);
  }
}

// One buffer for the small files a search reads by the thousand (meta.yaml, metric files):
// open + read + close, no fstat and no allocation per file.
const SHARED = Buffer.allocUnsafe(64 * 1024);

/** A file's text, or undefined when it does not exist (or is a folder, or a symlink). */
export function readText(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const n = fs.readSync(fd, SHARED, 0, SHARED.length, null);
    if (n < SHARED.length) return SHARED.toString('utf8', 0, n);
    const chunks = [Buffer.from(SHARED)];
    for (;;) {
      const b = Buffer.allocUnsafe(1 << 20);
      const k = fs.readSync(fd, b, 0, b.length, null);
      if (k === 0) break;
      chunks.push(b.subarray(0, k));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The entries of a folder; none when it is missing or unreadable (an absent folder is an empty one). */
export function readEntries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

export function isTempName(name: string): boolean {
  return name.startsWith('.~') && name.endsWith('.tmp');
}

/**
 * Every file under `dir` as a `/`-joined relative path (MLflow's `os.walk`, which is how keys with
 * `/` come back). Symlinks are followed only when they resolve inside the root; temp files are skipped.
 */
export function listFilesRecursive(dir: string, realRoot: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const e of readEntries(abs)) {
      const name = e.name;
      const childAbs = abs + path.sep + name;
      const childRel = rel ? rel + '/' + name : name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        if (!realpathInside(realRoot, childAbs)) continue;
        const st = fs.statSync(childAbs, { throwIfNoEntry: false });
        isDir = !!st?.isDirectory();
        isFile = !!st?.isFile();
      }
      if (isDir) walk(childAbs, childRel);
      else if (isFile && !isTempName(name)) out.push(childRel);
    }
  };
  walk(dir, '');
  return out;
}

/** A file read through `readText`, but following a symlink when it stays inside the root. */
export function readTextInside(file: string, realRoot: string): string | undefined {
  const t = readText(file);
  if (t !== undefined) return t;
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch {
    return undefined;
  }
  if (!st.isSymbolicLink() || !realpathInside(realRoot, file)) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A name that is exactly one folder below its parent: not empty, `.` or `..`, no separator or NUL. */
export function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/**
 * Uploading a local file or folder into a repository and downloading a file or folder from one,
 * for `mlf artifacts log-artifact(s)` and `download`. Bytes are streamed file by file. A download
 * goes to a hidden staging folder beside its target and is renamed into place only when every file
 * arrived, so a failure leaves nothing partial behind; an existing target is refused unless
 * `overwrite`.
 *
 * @example
 * await uploadFolder(repo, './plots', 'figures');       // ./plots/a.png → figures/a.png
 * const local = await download(repo, 'model', './out'); // ./out/model
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MlfError } from '../lib/errors.js';
import { validateArtifactPath } from './local-repo.js';
import type { ArtifactRepository } from './repository.js';

const notFound = (msg: string) => new MlfError(msg, 'RESOURCE_DOES_NOT_EXIST');

function joinRel(...parts: (string | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== '').join('/');
}

async function statOrNull(p: string): Promise<fs.Stats | null> {
  return fsp.stat(p).catch(() => null);
}

/** MLflow's `log_artifact`: the file goes to `<artifactPath>/<its name>`. Returns the artifact path. */
export async function uploadFile(repo: ArtifactRepository, localFile: string, artifactPath?: string): Promise<string> {
  const st = await statOrNull(localFile);
  if (!st || !st.isFile()) throw notFound(`No such file: '${localFile}'`);
  const rel = joinRel(validateArtifactPath(artifactPath ?? ''), path.basename(localFile));
  await repo.upload(localFile, rel);
  return rel;
}

/** Every file under `dir`, as paths relative to it (`/`-separated), sorted. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const ent of await fsp.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
    const full = path.join(dir, ent.name);
    const st = await fsp.stat(full);
    if (st.isDirectory()) out.push(...(await walk(full, rel)));
    else if (st.isFile()) out.push(rel);
  }
  return out.sort();
}

/** MLflow's `log_artifacts`: the folder's contents go under `artifactPath`. Returns the artifact paths. */
export async function uploadFolder(repo: ArtifactRepository, localDir: string, artifactPath?: string): Promise<string[]> {
  const st = await statOrNull(localDir);
  if (!st || !st.isDirectory()) throw notFound(`No such directory: '${localDir}'`);
  const base = validateArtifactPath(artifactPath ?? '');
  const files = await walk(localDir);
  const done: string[] = [];
  for (const f of files) {
    const rel = joinRel(base, f);
    await repo.upload(path.join(localDir, ...f.split('/')), rel);
    done.push(rel);
  }
  return done;
}

/** Every file under `rel` in the repository, with the folder structure, as relative paths. */
async function remoteFiles(repo: ArtifactRepository, rel: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await repo.list(rel)) {
    if (f.isDir) out.push(...(await remoteFiles(repo, f.path)));
    else out.push(f.path);
  }
  return out;
}

export interface DownloadOptions {
  /** Folder to download into (created if missing); default a new temp folder, as MLflow does. */
  dstPath?: string;
  overwrite?: boolean;
  /** Put `rel` at `<dst>/<its last segment>` rather than `<dst>/<rel>` (how MLflow downloads a URI). */
  flatten?: boolean;
}

/**
 * Downloads `rel` (a file or a folder; the whole root when empty) to `<dst>/<rel>` (or `<dst>` for
 * the root) and returns that local path. RESOURCE_DOES_NOT_EXIST when there is nothing at `rel`;
 * RESOURCE_ALREADY_EXISTS when the target exists and `overwrite` is not set.
 */
export async function download(repo: ArtifactRepository, rel: string, opts: DownloadOptions = {}): Promise<string> {
  const clean = validateArtifactPath(rel);
  const dst = opts.dstPath ? path.resolve(opts.dstPath) : await fsp.mkdtemp(path.join(os.tmpdir(), 'mlf-artifacts-'));
  const ownDst = !opts.dstPath || !(await statOrNull(dst));
  try {
    return await downloadInto(repo, clean, dst, opts.overwrite === true, opts.flatten === true);
  } catch (e) {
    // A destination folder this call made is removed again: nothing partial is left behind.
    if (ownDst) await fsp.rm(dst, { recursive: true, force: true });
    throw e;
  }
}

async function downloadInto(repo: ArtifactRepository, clean: string, dst: string, overwrite: boolean, flatten: boolean): Promise<string> {
  const target = !clean ? dst : flatten ? path.join(dst, clean.split('/').pop()!) : path.join(dst, ...clean.split('/'));
  const existing = await statOrNull(target);
  const occupied = existing && (!existing.isDirectory() || (await fsp.readdir(target)).length > 0);
  if (occupied && !overwrite) {
    throw new MlfError(`Destination '${target}' already exists: pass --overwrite to replace it.`, 'RESOURCE_ALREADY_EXISTS');
  }
  const files = await remoteFiles(repo, clean);
  const isFolder = files.length > 0;
  if (!isFolder && clean === '') throw notFound(`No artifacts at '${repo.uri}'.`);
  // Not a folder: it must be listed as a file in its parent. Asking first gives one clear line
  // rather than whatever a server answers (MLflow's answers a missing file with a retried 500).
  if (!isFolder) {
    const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '';
    if (!(await repo.list(parent)).some((f) => f.path === clean && !f.isDir)) throw notFound(`No artifact at '${clean}' in '${repo.uri}'.`);
  }
  // mkdir returns the first folder it made: removed again on failure, with everything under it.
  const made = await fsp.mkdir(path.dirname(target), { recursive: true });
  const staging = await fsp.mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.mlf-`));
  let done = false;
  try {
    if (isFolder) {
      for (const f of files) {
        const inside = f.slice(clean ? clean.length + 1 : 0);
        const local = path.join(staging, 'x', ...inside.split('/'));
        await fsp.mkdir(path.dirname(local), { recursive: true });
        await pipeline(await repo.read(f), fs.createWriteStream(local));
      }
    } else {
      await pipeline(await repo.read(clean), fs.createWriteStream(path.join(staging, 'x')));
    }
    if (existing) await fsp.rm(target, { recursive: true, force: true });
    await fsp.rename(path.join(staging, 'x'), target);
    done = true;
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
    if (!done && made) await fsp.rm(made, { recursive: true, force: true });
  }
  return target;
}

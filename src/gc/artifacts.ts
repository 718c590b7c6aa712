/**
 * Deleting a purged run's artifacts, and never anything else.
 *
 * mlf deletes from local paths, `file:` URIs and `mlflow-artifacts:` URIs (resolved under the
 * server's `--artifacts-destination`, when that is local). Other schemes are reported per run as
 * skipped. MLflow `rmtree`s whatever a run's `artifact_uri` says; mlf first checks that the folder
 * (after resolving symlinks) is the run's own: its name is `<run_id>` or it is `<run_id>/artifacts`.
 * So an `artifact_uri` of `/`, of a shared folder or of another run's folder is refused, not wiped.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileUriToPath, maskUri, uriScheme } from '../tracking/uri.js';

export interface ArtifactOptions {
  /** Base folder (or URI) for `mlflow-artifacts:` URIs; MLflow's server default is `./mlartifacts`. */
  artifactsDestination: string;
  cwd?: string;
  dryRun?: boolean;
  /**
   * Where else a missing folder may be: the file store moves a deleted experiment, run folders and
   * artifacts included, into `.trash/` without rewriting the runs' `artifact_uri`.
   */
  fallbackPath?: (p: string) => string | undefined;
}

export type ArtifactOutcome =
  | { status: 'deleted'; runId: string; artifactUri: string; path: string; bytes: number }
  | { status: 'missing'; runId: string; artifactUri: string; path: string; bytes: 0 }
  | { status: 'skipped'; runId: string; artifactUri: string; reason: string; bytes: 0 };

export const DEFAULT_ARTIFACTS_DESTINATION = './mlartifacts';

/** The local folder an artifact URI names, or why mlf will not delete from it. */
export function localArtifactPath(artifactUri: string, opts: ArtifactOptions): { path: string } | { reason: string } {
  const cwd = opts.cwd ?? process.cwd();
  if (!artifactUri) return { reason: 'the run has no artifact location' };
  const scheme = uriScheme(artifactUri);
  try {
    if (scheme === '') return { path: path.resolve(cwd, artifactUri) };
    if (scheme === 'file') return { path: fileUriToPath(artifactUri, cwd) };
    if (scheme === 'mlflow-artifacts') {
      const dest = opts.artifactsDestination;
      const destScheme = uriScheme(dest);
      if (destScheme !== '' && destScheme !== 'file') {
        return { reason: `artifacts destination ${maskUri(dest)} is not a local folder (scheme '${destScheme}')` };
      }
      const base = destScheme === 'file' ? fileUriToPath(dest, cwd) : path.resolve(cwd, dest);
      // mlflow-artifacts:/<path> or mlflow-artifacts://<host>/<path>: the path is relative to the destination.
      let rest = artifactUri.slice('mlflow-artifacts:'.length);
      if (rest.startsWith('//')) {
        const slash = rest.indexOf('/', 2);
        rest = slash === -1 ? '' : rest.slice(slash);
      }
      const rel = decodeURIComponent(rest).replace(/^\/+/, '');
      const full = path.resolve(base, rel);
      if (full !== base && !full.startsWith(base + path.sep)) return { reason: 'the artifact path leaves the artifacts destination' };
      return { path: full };
    }
  } catch (e) {
    return { reason: (e as Error).message };
  }
  return { reason: `mlf cannot delete artifacts from '${scheme}' URIs` };
}

/** Real path of `p`, or of its nearest existing ancestor joined with the rest; null if `p` does not exist. */
async function realpathIfExists(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** True if `dir` is the run's own folder: `.../<runId>` or `.../<runId>/artifacts`. */
export function isRunsOwnFolder(runId: string, dir: string): boolean {
  if (!runId || dir === path.parse(dir).root) return false;
  const base = path.basename(dir);
  return base === runId || (base === 'artifacts' && path.basename(path.dirname(dir)) === runId);
}

/** Sum of file sizes under `dir`; symlinks count as themselves and are not followed. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) return st.size;
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  for (const e of entries) {
    if (e.isDirectory()) continue;
    try {
      total += (await fs.lstat(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))).size;
    } catch {
      // Removed meanwhile: nothing to count.
    }
  }
  return total;
}

/** Whose folder it is: a run's, or (MLflow 3) a purged experiment's logged model's or trace's. */
export type ArtifactOwner = 'run' | 'model' | 'trace';

/** Delete (or, in a dry run, measure) one run's (or logged model's, or trace's) artifact folder. */
export async function deleteRunArtifacts(
  runId: string,
  artifactUri: string,
  opts: ArtifactOptions,
  owner: ArtifactOwner = 'run',
): Promise<ArtifactOutcome> {
  const loc = localArtifactPath(artifactUri, opts);
  const shown = maskUri(artifactUri);
  if ('reason' in loc) return { status: 'skipped', runId, artifactUri: shown, reason: loc.reason, bytes: 0 };
  let lexical = loc.path;
  if (lexical === path.parse(lexical).root) {
    return { status: 'skipped', runId, artifactUri: shown, reason: 'the artifact location is the filesystem root', bytes: 0 };
  }
  let real = await realpathIfExists(lexical);
  const alt = real === null ? opts.fallbackPath?.(lexical) : undefined;
  if (alt) {
    real = await realpathIfExists(alt);
    if (real !== null) lexical = alt;
  }
  // Already gone (an earlier, interrupted gc, or never written): not an error.
  if (real === null) return { status: 'missing', runId, artifactUri: shown, path: lexical, bytes: 0 };
  if (!isRunsOwnFolder(runId, real)) {
    return {
      status: 'skipped',
      runId,
      artifactUri: shown,
      reason: `${real} is not the ${owner}'s own artifact folder (<${owner}_id>/artifacts or <${owner}_id>)`,
      bytes: 0,
    };
  }
  let bytes: number;
  try {
    bytes = await folderBytes(real);
  } catch (e) {
    // Removed meanwhile by another gc on the same artifacts: gone is what was wanted.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', runId, artifactUri: shown, path: lexical, bytes: 0 };
    throw e;
  }
  if (!opts.dryRun) {
    await fs.rm(real, { recursive: true, force: true });
    if (real !== lexical) await fs.rm(lexical, { force: true }).catch(() => undefined); // the symlink itself
    // `<run_id>/artifacts` leaves an empty `<run_id>` folder behind: remove it only if empty.
    if (path.basename(real) === 'artifacts') await fs.rmdir(path.dirname(real)).catch(() => undefined);
  }
  return { status: 'deleted', runId, artifactUri: shown, path: real, bytes };
}

/** Run `fn` over `items` with at most `limit` in flight, keeping order in the result. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

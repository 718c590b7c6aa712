/**
 * Artifacts: the `mlflow-artifacts` proxy (`/api/2.0/mlflow-artifacts/artifacts/...`: upload,
 * download, list, delete, all under `--artifacts-destination`) and the run listing behind
 * `/mlflow/artifacts/list`. Every path goes through `resolveArtifactPath` in
 * src/artifacts/local-repo.ts.
 */
import path from 'node:path';
import { MlfError } from '../../lib/errors.js';
import { LocalArtifactRepository, validateArtifactPath, type FileInfo } from '../../artifacts/local-repo.js';
import { fileUriToPath, uriScheme } from '../../tracking/uri.js';
import { readParams, str } from '../request.js';
import type { Json } from './tracking.js';
import type { Reply, Req } from '../http.js';

const HTTP_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts/';

/** Where a run's artifacts are, and the listing of them. */
export class ArtifactAccess {
  readonly destination: LocalArtifactRepository;
  readonly serveArtifacts: boolean;

  constructor(destination: string, serveArtifacts: boolean) {
    this.destination = new LocalArtifactRepository(destination);
    this.serveArtifacts = serveArtifacts;
  }

  /**
   * Lists `rel` under a run's artifact root, paths relative to that root (MLflow's `list_artifacts`).
   * Proxied roots (`mlflow-artifacts:`, `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`) are read
   * from the destination when serving artifacts; local roots directly.
   */
  /**
   * The repository holding an artifact root and the folder of the root inside it: proxied roots
   * (`mlflow-artifacts:`, `http(s)://…/api/2.0/mlflow-artifacts/artifacts/…`) live under the destination
   * when serving artifacts, local roots are their own repository.
   */
  repoFor(artifactUri: string): { repo: LocalArtifactRepository; under: string } {
    const scheme = uriScheme(artifactUri);
    if (this.serveArtifacts && (scheme === 'mlflow-artifacts' || scheme === 'http' || scheme === 'https')) {
      return { repo: this.destination, under: proxiedRootPath(artifactUri) };
    }
    if (scheme === '' || scheme === 'file') {
      const root = scheme === 'file' ? fileUriToPath(artifactUri) : path.resolve(artifactUri);
      return { repo: new LocalArtifactRepository(root), under: '' };
    }
    throw new MlfError(
      `mlf server reads artifacts only in local folders and, with --serve-artifacts, mlflow-artifacts: roots; this artifact root is '${artifactUri}'.`,
      'FEATURE_DISABLED',
    );
  }

  /** Lists `rel` under a run's artifact root, paths relative to that root (MLflow's `list_artifacts`). */
  async listRunArtifacts(artifactUri: string, rel: string): Promise<FileInfo[]> {
    const relClean = validateArtifactPath(rel);
    const { repo, under } = this.repoFor(artifactUri);
    const files = await repo.list(joinRel(under, relClean));
    if (!under) return files;
    return files.map((f) => {
      const base = f.path.slice(f.path.lastIndexOf('/') + 1);
      return { ...f, path: relClean ? `${relClean}/${base}` : base };
    });
  }

  /** A file under an artifact root, sent as MLflow's `_send_artifact` does (attachment, guessed type). */
  async sendFile(artifactUri: string, rel: string): Promise<Reply> {
    const relClean = validateArtifactPath(rel);
    const { repo, under } = this.repoFor(artifactUri);
    return fileReply(repo, joinRel(under, relClean));
  }

  /** Writes `data` to `rel` under an artifact root. */
  async writeFile(artifactUri: string, rel: string, data: Uint8Array): Promise<void> {
    const relClean = validateArtifactPath(rel);
    const { repo, under } = this.repoFor(artifactUri);
    await repo.write(joinRel(under, relClean), data);
  }
}

function joinRel(a: string, b: string): string {
  return [a, b].filter(Boolean).join('/');
}

async function fileReply(repo: LocalArtifactRepository, rel: string): Promise<Reply> {
  const { stream, size } = await repo.open(rel);
  const name = path.posix.basename(rel);
  return {
    status: 200,
    body: stream,
    headers: {
      'Content-Type': guessMime(name),
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename=${name}`,
      'X-Content-Type-Options': 'nosniff',
    },
  };
}

/** MLflow's `_get_proxied_run_artifact_destination_path` without a relative path. */
function proxiedRootPath(uri: string): string {
  if (uriScheme(uri) === 'mlflow-artifacts') {
    let rest = uri.slice('mlflow-artifacts:'.length);
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      rest = slash === -1 ? '' : rest.slice(slash);
    }
    return stripQuery(rest).replace(/^\/+/, '');
  }
  const u = new URL(uri);
  const i = u.pathname.indexOf(HTTP_ANCHOR);
  if (i === -1) throw new MlfError('Invalid path', 'INVALID_PARAMETER_VALUE');
  return u.pathname.slice(i + HTTP_ANCHOR.length).replace(/^\/+/, '');
}

function stripQuery(s: string): string {
  const q = s.search(/[?#]/);
  return q === -1 ? s : s.slice(0, q);
}

const MIME: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.json': 'application/json',
  '.yaml': 'text/yaml',
  '.yml': 'text/yaml',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.py': 'text/x-python',
  '.md': 'text/markdown',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.parquet': 'application/octet-stream',
};

/** MLflow's `_guess_mime_type`: by extension; `MLmodel`/`MLproject` and unknowns as text or octet-stream. */
function guessMime(name: string): string {
  const base = path.posix.basename(name);
  if (base === 'MLmodel' || base === 'MLproject') return 'text/plain';
  return MIME[path.posix.extname(base).toLowerCase()] ?? 'application/octet-stream';
}

export type ArtifactHandler = (req: Req, rel: string) => Promise<Reply>;

function json(body: Json, status = 200): Reply {
  return { status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** The proxy endpoints, keyed by `METHOD`; `rel` is the raw path after `/artifacts/` (or '' for the list). */
export function artifactProxyHandlers(access: ArtifactAccess): {
  download: ArtifactHandler;
  upload: ArtifactHandler;
  remove: ArtifactHandler;
  list: (req: Req) => Promise<Reply>;
} {
  const repo = access.destination;
  return {
    download: async (_c, rel) => fileReply(repo, validateArtifactPath(rel)),
    upload: async (req, rel) => {
      await repo.write(rel, req.stream());
      return json({});
    },
    remove: async (_c, rel) => {
      await repo.delete(rel);
      return json({});
    },
    list: async (req) => {
      const p = await readParams(req);
      const rel = str(p, 'path');
      const files = await repo.list(rel ?? '');
      const out: Json = {};
      if (files.length) {
        out.files = files.map((f) => {
          const base = f.path.slice(f.path.lastIndexOf('/') + 1);
          return f.isDir ? { path: base, is_dir: true } : { path: base, is_dir: false, file_size: f.fileSize };
        });
      }
      return json(out);
    },
  };
}

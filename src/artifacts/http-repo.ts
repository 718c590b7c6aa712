/**
 * {@link ArtifactRepository} over the `mlflow-artifacts` proxy of an MLflow or mlf tracking server
 * (`/api/2.0/mlflow-artifacts/artifacts/<path>`: GET downloads, PUT uploads, and the listing at
 * `/api/2.0/mlflow-artifacts/artifacts?path=…`), as MLflow's `HttpArtifactRepository` talks to it.
 * Bodies are streamed both ways.
 *
 * @example
 * const repo = new HttpArtifactRepository(client, '1/abc/artifacts');
 * await repo.upload('./model.pkl', 'model/model.pkl');
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MlfError } from '../lib/errors.js';
import type { HttpClient, Json } from '../stores/rest/http-client.js';
import { validateArtifactPath, type FileInfo } from './local-repo.js';
import type { ArtifactRepository } from './repository.js';

const ENDPOINT = '/api/2.0/mlflow-artifacts/artifacts';

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export class HttpArtifactRepository implements ArtifactRepository {
  readonly uri: string;

  /** `rootPath`: the path under the proxy's destination, e.g. `1/<run_id>/artifacts`. */
  constructor(
    private readonly client: HttpClient,
    private readonly rootPath: string,
  ) {
    this.rootPath = rootPath.replace(/^\/+|\/+$/g, '');
    this.uri = client.urlFor(`${ENDPOINT}/${encodePath(this.rootPath)}`);
  }

  private full(rel: string): string {
    return [this.rootPath, validateArtifactPath(rel)].filter(Boolean).join('/');
  }

  async list(rel = ''): Promise<FileInfo[]> {
    const clean = validateArtifactPath(rel);
    const res = await this.client.call('GET', ENDPOINT, { path: this.full(clean) });
    const files = Array.isArray(res.files) ? (res.files as Json[]) : [];
    // The proxy answers with base names (and nothing for a file).
    const out = files.map((f): FileInfo => {
      const p = clean ? `${clean}/${String(f.path)}` : String(f.path);
      return f.is_dir ? { path: p, isDir: true } : { path: p, isDir: false, fileSize: Number(f.file_size ?? 0) };
    });
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(rel: string): Promise<Readable> {
    const p = this.full(rel);
    if (!p) throw new MlfError('Invalid path', 'INVALID_PARAMETER_VALUE');
    return this.client.stream('GET', `${ENDPOINT}/${encodePath(p)}`);
  }

  async upload(localFile: string, rel: string): Promise<void> {
    const p = this.full(rel);
    const { size } = await fsp.stat(localFile);
    const res = await this.client.stream('PUT', `${ENDPOINT}/${encodePath(p)}`, {
      body: () => ({ stream: fs.createReadStream(localFile), size }),
    });
    res.resume();
    await new Promise<void>((resolve, reject) => res.on('end', resolve).on('error', reject));
  }
}

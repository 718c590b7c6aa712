/**
 * What the artifact commands need from a place that holds a run's artifacts, whichever it is: a
 * local folder (src/artifacts/local-repo.ts) or the `mlflow-artifacts` proxy of a tracking server
 * (src/artifacts/http-repo.ts). Paths are relative to the repository's root, `/`-separated.
 * Reading and writing are streams, so no file is ever held in memory whole.
 */
import type { Readable } from 'node:stream';
import type { FileInfo } from './local-repo.js';

export type { FileInfo } from './local-repo.js';

export interface ArtifactRepository {
  /** The root as a URI, for messages. */
  readonly uri: string;
  /** Entries directly under `rel` (the root when empty); [] when it is a file or absent. */
  list(rel?: string): Promise<FileInfo[]>;
  /** A file's bytes; RESOURCE_DOES_NOT_EXIST when it is not a file. */
  read(rel: string): Promise<Readable>;
  /** Uploads a local file to `rel` (replacing it). */
  upload(localFile: string, rel: string): Promise<void>;
}

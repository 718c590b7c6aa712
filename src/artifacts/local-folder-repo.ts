/** {@link ArtifactRepository} over a local folder (plain paths and `file:` roots). */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { LocalArtifactRepository, type FileInfo } from './local-repo.js';
import type { ArtifactRepository } from './repository.js';
import { pathToFileUri } from '../tracking/uri.js';

export class LocalFolderRepository implements ArtifactRepository {
  readonly uri: string;
  private readonly repo: LocalArtifactRepository;

  constructor(root: string) {
    this.repo = new LocalArtifactRepository(root);
    this.uri = pathToFileUri(this.repo.root);
  }

  list(rel = ''): Promise<FileInfo[]> {
    return this.repo.list(rel);
  }

  async read(rel: string): Promise<Readable> {
    return (await this.repo.open(rel)).stream;
  }

  upload(localFile: string, rel: string): Promise<void> {
    return this.repo.write(rel, fs.createReadStream(localFile));
  }
}

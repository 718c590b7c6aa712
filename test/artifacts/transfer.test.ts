/**
 * Upload and download between local folders and a repository (src/artifacts/transfer.ts), and how
 * artifact URIs are split and resolved (src/artifacts/resolve.ts), in process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalFolderRepository } from '../../src/artifacts/local-folder-repo.js';
import type { ArtifactRepository } from '../../src/artifacts/repository.js';
import { repositoryFor, splitArtifactUri } from '../../src/artifacts/resolve.js';
import { download, uploadFile, uploadFolder } from '../../src/artifacts/transfer.js';
import { tempDir } from '../support/databases.js';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('mlf-transfer-');
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, pre: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${pre}${e.name}/`);
      else out[pre + e.name] = fs.readFileSync(path.join(d, e.name), 'latin1');
    }
  };
  walk(root, '');
  return out;
}

describe('artifact transfer on a local repository', () => {
  it("uploads a file under its name and a folder's contents under the artifact path, and downloads them back byte for byte", async () => {
    const src = dir();
    const repo = new LocalFolderRepository(path.join(dir(), 'root'));
    const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    fs.writeFileSync(path.join(src, 'bytes.bin'), bin);
    fs.mkdirSync(path.join(src, 'd', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'd', 'a.txt'), 'a');
    fs.writeFileSync(path.join(src, 'd', 'sub', 'b.txt'), 'b');
    expect(await uploadFile(repo, path.join(src, 'bytes.bin'), 'raw')).toBe('raw/bytes.bin');
    expect(await uploadFolder(repo, path.join(src, 'd'), 'docs')).toEqual(['docs/a.txt', 'docs/sub/b.txt']);
    expect((await repo.list()).map((f) => f.path)).toEqual(['docs', 'raw']);

    const out = dir();
    const all = await download(repo, '', { dstPath: path.join(out, 'all') });
    expect(all).toBe(path.join(out, 'all'));
    expect(tree(all)).toEqual({ 'raw/bytes.bin': bin.toString('latin1'), 'docs/a.txt': 'a', 'docs/sub/b.txt': 'b' });
    expect(await download(repo, 'docs/sub', { dstPath: path.join(out, 'x') })).toBe(path.join(out, 'x', 'docs', 'sub'));
    expect(await download(repo, 'docs/a.txt', { dstPath: path.join(out, 'y'), flatten: true })).toBe(path.join(out, 'y', 'a.txt'));
  });

  it('refuses an existing destination unless overwrite, then replaces it whole', async () => {
    const src = dir();
    fs.writeFileSync(path.join(src, 'f.txt'), 'new');
    const repo = new LocalFolderRepository(path.join(dir(), 'root'));
    await uploadFile(repo, path.join(src, 'f.txt'));
    const out = dir();
    fs.writeFileSync(path.join(out, 'f.txt'), 'old');
    await expect(download(repo, 'f.txt', { dstPath: out })).rejects.toThrow(`Destination '${path.join(out, 'f.txt')}' already exists: pass --overwrite to replace it.`);
    expect(fs.readFileSync(path.join(out, 'f.txt'), 'utf8')).toBe('old');
    await download(repo, 'f.txt', { dstPath: out, overwrite: true });
    expect(fs.readdirSync(out)).toEqual(['f.txt']);
    expect(fs.readFileSync(path.join(out, 'f.txt'), 'utf8')).toBe('new');
  });

  it('reports a missing path, an empty root and a missing local file with one line each', async () => {
    const repo = new LocalFolderRepository(path.join(dir(), 'root'));
    const out = path.join(dir(), 'new');
    await expect(download(repo, '', { dstPath: out })).rejects.toThrow(/^No artifacts at 'file:\/\/.*root'\.$/);
    await expect(download(repo, 'nope.txt', { dstPath: out })).rejects.toThrow(/^No artifact at 'nope.txt' in /);
    expect(fs.existsSync(out)).toBe(false);
    await expect(uploadFile(repo, path.join(out, 'missing.txt'))).rejects.toThrow(/^No such file: /);
    await expect(uploadFolder(repo, path.join(out, 'missing'))).rejects.toThrow(/^No such directory: /);
  });

  it('leaves nothing behind when a file fails half way', async () => {
    const good: ArtifactRepository = new LocalFolderRepository(path.join(dir(), 'root'));
    const src = dir();
    fs.writeFileSync(path.join(src, 'a.txt'), 'a');
    fs.writeFileSync(path.join(src, 'b.txt'), 'b');
    await uploadFolder(good, src, 'm');
    const failing: ArtifactRepository = {
      uri: 'test:',
      list: (rel) => good.list(rel),
      upload: () => Promise.reject(new Error('no')),
      read: async (rel) => {
        if (rel.endsWith('b.txt')) {
          return new Readable({ read() { this.destroy(new Error('connection reset')); } });
        }
        return good.read(rel);
      },
    };
    const out = dir();
    await expect(download(failing, 'm', { dstPath: out })).rejects.toThrow('connection reset');
    expect(fs.readdirSync(out)).toEqual([]);
    await uploadFolder(good, src, 'deep/er/m');
    await expect(download(failing, 'deep/er/m', { dstPath: out })).rejects.toThrow('connection reset');
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('artifact URIs', () => {
  it('splits a URI into its parent and last segment, as MLflow downloads a URI', () => {
    expect(splitArtifactUri('mlflow-artifacts:/1/abc/artifacts/model')).toEqual({ parent: 'mlflow-artifacts:/1/abc/artifacts', name: 'model' });
    expect(splitArtifactUri('file:///tmp/x/model.pkl')).toEqual({ parent: 'file:///tmp/x', name: 'model.pkl' });
    expect(splitArtifactUri('/tmp/x/model/')).toEqual({ parent: '/tmp/x', name: 'model' });
  });

  it('refuses object stores and a proxy URI without a tracking server, with one line', async () => {
    for (const uri of ['s3://bucket/1/abc/artifacts', 'gs://b/x', 'wasbs://c@a.blob.core.windows.net/x', 'hdfs://nn/x']) {
      await expect(repositoryFor(uri)).rejects.toMatchObject({ errorCode: 'FEATURE_DISABLED', message: expect.stringMatching(/^mlf cannot reach artifact root '/) });
    }
    await expect(repositoryFor('mlflow-artifacts:/1/abc')).rejects.toThrow(/give its http\(s\):\/\/ address with --tracking-uri/);
  });
});

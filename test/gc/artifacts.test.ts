import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteRunArtifacts, isRunsOwnFolder, localArtifactPath } from '../../src/gc/artifacts.js';
import { tempDir } from '../support/databases.js';
import { runId } from './support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function makeRunFolder(root: string, id: string, files: Record<string, string> = { 'model.pkl': 'x'.repeat(100), 'sub/notes.txt': 'hello' }) {
  const art = path.join(root, '1', id, 'artifacts');
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(art, rel)), { recursive: true });
    fs.writeFileSync(path.join(art, rel), body);
  }
  return art;
}

describe('localArtifactPath', () => {
  const opts = { artifactsDestination: '/srv/mlartifacts', cwd: '/work' };
  it('resolves plain paths, file: URIs and mlflow-artifacts: URIs under the destination', () => {
    expect(localArtifactPath('/a/b', opts)).toEqual({ path: '/a/b' });
    expect(localArtifactPath('rel/x', opts)).toEqual({ path: '/work/rel/x' });
    expect(localArtifactPath('file:///a/b%20c', opts)).toEqual({ path: '/a/b c' });
    expect(localArtifactPath('mlflow-artifacts:/1/abc/artifacts', opts)).toEqual({ path: '/srv/mlartifacts/1/abc/artifacts' });
    expect(localArtifactPath('mlflow-artifacts://host:5000/1/abc/artifacts', opts)).toEqual({ path: '/srv/mlartifacts/1/abc/artifacts' });
    expect(localArtifactPath('mlflow-artifacts:/1/abc', { ...opts, artifactsDestination: 'file:///srv/x' })).toEqual({ path: '/srv/x/1/abc' });
  });

  it('reports schemes it cannot delete from, with a reason', () => {
    expect(localArtifactPath('s3://bucket/1/abc/artifacts', opts)).toEqual({ reason: "mlf cannot delete artifacts from 's3' URIs" });
    expect(localArtifactPath('gs://b/x', opts)).toHaveProperty('reason');
    expect(localArtifactPath('mlflow-artifacts:/1/abc', { ...opts, artifactsDestination: 's3://b' })).toHaveProperty('reason');
    expect(localArtifactPath('mlflow-artifacts:/../../etc', opts)).toHaveProperty('reason');
    expect(localArtifactPath('', opts)).toHaveProperty('reason');
  });
});

describe('isRunsOwnFolder', () => {
  it('accepts <run_id> and <run_id>/artifacts only', () => {
    expect(isRunsOwnFolder('abc', '/m/1/abc/artifacts')).toBe(true);
    expect(isRunsOwnFolder('abc', '/m/1/abc')).toBe(true);
    expect(isRunsOwnFolder('abc', '/m/1/def/artifacts')).toBe(false);
    expect(isRunsOwnFolder('abc', '/m/1')).toBe(false);
    expect(isRunsOwnFolder('abc', '/')).toBe(false);
    expect(isRunsOwnFolder('abc', '/m/abc/artifacts/x')).toBe(false);
  });
});

describe('deleteRunArtifacts', () => {
  const opts = { artifactsDestination: './mlartifacts' };

  it('deletes the run folder, counts its bytes and removes the emptied <run_id> folder', async () => {
    const root = tempDir();
    dirs.push(root);
    const id = runId();
    const art = makeRunFolder(root, id);
    const out = await deleteRunArtifacts(id, `file://${art}`, opts);
    expect(out).toMatchObject({ status: 'deleted', bytes: 105 });
    expect(fs.existsSync(art)).toBe(false);
    expect(fs.existsSync(path.dirname(art))).toBe(false);
    expect(fs.existsSync(path.join(root, '1'))).toBe(true);
  });

  it('measures without deleting in a dry run', async () => {
    const root = tempDir();
    dirs.push(root);
    const id = runId();
    const art = makeRunFolder(root, id);
    expect(await deleteRunArtifacts(id, art, { ...opts, dryRun: true })).toMatchObject({ status: 'deleted', bytes: 105 });
    expect(fs.existsSync(path.join(art, 'model.pkl'))).toBe(true);
  });

  it('treats a folder that is already gone as fine', async () => {
    const id = runId();
    expect(await deleteRunArtifacts(id, `/nonexistent/${id}/artifacts`, opts)).toMatchObject({ status: 'missing', bytes: 0 });
  });

  it('refuses / and folders that are not the run’s own, deleting nothing', async () => {
    const root = tempDir();
    dirs.push(root);
    const id = runId();
    const other = runId();
    const otherArt = makeRunFolder(root, other);
    expect(await deleteRunArtifacts(id, '/', opts)).toMatchObject({ status: 'skipped' });
    expect(await deleteRunArtifacts(id, 'file:///', opts)).toMatchObject({ status: 'skipped' });
    expect(await deleteRunArtifacts(id, otherArt, opts)).toMatchObject({ status: 'skipped' });
    expect(await deleteRunArtifacts(id, root, opts)).toMatchObject({ status: 'skipped' });
    expect(await deleteRunArtifacts(id, path.join(root, '1'), opts)).toMatchObject({ status: 'skipped' });
    expect(fs.existsSync(path.join(otherArt, 'model.pkl'))).toBe(true);
  });

  it('refuses a run folder that is a symlink into another run’s folder', async () => {
    const root = tempDir();
    dirs.push(root);
    const id = runId();
    const other = runId();
    const otherArt = makeRunFolder(root, other);
    fs.mkdirSync(path.join(root, '1', id), { recursive: true });
    fs.symlinkSync(otherArt, path.join(root, '1', id, 'artifacts'));
    const out = await deleteRunArtifacts(id, path.join(root, '1', id, 'artifacts'), opts);
    expect(out).toMatchObject({ status: 'skipped' });
    expect(fs.existsSync(path.join(otherArt, 'model.pkl'))).toBe(true);
  });

  it('does not follow symlinks inside the run folder', async () => {
    const root = tempDir();
    dirs.push(root);
    const outside = path.join(root, 'keep.txt');
    fs.writeFileSync(outside, 'precious');
    const id = runId();
    const art = makeRunFolder(root, id);
    fs.symlinkSync(root, path.join(art, 'link-to-root'));
    await deleteRunArtifacts(id, art, opts);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious');
    expect(fs.existsSync(art)).toBe(false);
  });

  it('resolves mlflow-artifacts: URIs under --artifacts-destination', async () => {
    const dest = tempDir();
    dirs.push(dest);
    const id = runId();
    const art = makeRunFolder(dest, id);
    const out = await deleteRunArtifacts(id, `mlflow-artifacts:/1/${id}/artifacts`, { artifactsDestination: dest });
    expect(out).toMatchObject({ status: 'deleted', bytes: 105 });
    expect(fs.existsSync(art)).toBe(false);
  });

  it('reports other schemes as skipped', async () => {
    const id = runId();
    expect(await deleteRunArtifacts(id, `s3://bucket/1/${id}/artifacts`, opts)).toMatchObject({
      status: 'skipped',
      reason: "mlf cannot delete artifacts from 's3' URIs",
    });
  });
});

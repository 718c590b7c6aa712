/**
 * The mlflow-artifacts proxy: upload, download, list, delete under --artifacts-destination, and no
 * request reading or writing outside it (`..`, `%2e%2e`, absolute paths, symlinks, backslashes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveArtifactPath, validateArtifactPath } from '../../src/artifacts/local-repo.js';
import { makeServer, type TestServer } from './helpers.js';

const A = '/api/2.0/mlflow-artifacts/artifacts';

describe('mlflow-artifacts proxy', () => {
  let s: TestServer;
  let outside: string;

  beforeAll(async () => {
    s = await makeServer('file');
    fs.mkdirSync(s.artifacts, { recursive: true });
    outside = path.join(s.dir, 'secret.txt');
    fs.writeFileSync(outside, 'top secret');
    fs.mkdirSync(path.join(s.dir, 'outside-dir'));
    fs.symlinkSync(path.join(s.dir, 'outside-dir'), path.join(s.artifacts, 'link-out'));
    fs.symlinkSync(outside, path.join(s.artifacts, 'secret-link'));
  });
  afterAll(async () => s?.close());

  it('uploads a file into the destination and downloads it as an attachment', async () => {
    const put = await s.app.request(`${A}/1/run/artifacts/model/data.json`, { method: 'PUT', body: '{"a":1}' });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({});
    expect(fs.readFileSync(path.join(s.artifacts, '1/run/artifacts/model/data.json'), 'utf8')).toBe('{"a":1}');
    const get = await s.app.request(`${A}/1/run/artifacts/model/data.json`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('{"a":1}');
    expect(get.headers.get('content-type')).toBe('application/json');
    expect(get.headers.get('content-disposition')).toBe('attachment; filename=data.json');
    expect(get.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lists a folder with base names, as MLflow lists proxied artifacts', async () => {
    const r = await s.app.request(`${A}?path=1/run/artifacts`);
    expect(await r.json()).toEqual({ files: [{ path: 'model', is_dir: true }] });
    const deeper = await s.app.request(`${A}?path=1/run/artifacts/model`);
    expect(await deeper.json()).toEqual({ files: [{ path: 'data.json', is_dir: false, file_size: 7 }] });
    const missing = await s.app.request(`${A}?path=nothing/here`);
    expect(await missing.json()).toEqual({});
  });

  it('deletes a file and a folder tree', async () => {
    await s.app.request(`${A}/del/a/b.txt`, { method: 'PUT', body: 'x' });
    expect((await s.app.request(`${A}/del/a/b.txt`, { method: 'DELETE' })).status).toBe(200);
    expect(fs.existsSync(path.join(s.artifacts, 'del/a/b.txt'))).toBe(false);
    expect((await s.app.request(`${A}/del`, { method: 'DELETE' })).status).toBe(200);
    expect(fs.existsSync(path.join(s.artifacts, 'del'))).toBe(false);
  });

  it('answers a missing file with 404 RESOURCE_DOES_NOT_EXIST', async () => {
    const r = await s.app.request(`${A}/no/such/file`);
    expect(r.status).toBe(404);
    expect((await r.json()).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  const escapes = [
    '..%2f..%2fsecret.txt',
    '..%252f..%252fsecret.txt',
    'a/..%2f..%2f..%2fsecret.txt',
    '%2e%2e%2f%2e%2e%2fsecret.txt',
    '%252e%252e/%252e%252e/secret.txt',
    '%2Fetc%2Fpasswd',
    '%2f%2fetc/passwd',
    'C:%5Cwindows%5Cwin.ini',
    '..%5c..%5csecret.txt',
    'a%00b',
    'file:%2F%2F%2Fetc%2Fpasswd',
  ];

  for (const esc of escapes) {
    it(`refuses to read, write, list or delete through '${esc}'`, async () => {
      const get = await s.app.request(`${A}/${esc}`);
      expect(get.status).toBe(400);
      expect(await get.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      const put = await s.app.request(`${A}/${esc}`, { method: 'PUT', body: 'pwned' });
      expect(put.status).toBe(400);
      const del = await s.app.request(`${A}/${esc}`, { method: 'DELETE' });
      expect(del.status).toBe(400);
      const list = await s.app.request(`${A}?path=${esc}`);
      expect(list.status).toBe(400);
    });
  }

  it('never leaves the destination through a URL the client normalises (/../)', async () => {
    const r = await s.app.request(`${A}/../../../secret.txt`);
    expect(r.status).toBe(404);
    expect(fs.readFileSync(outside, 'utf8')).toBe('top secret');
  });

  it('refuses symlinks inside the destination that point outside it', async () => {
    const read = await s.app.request(`${A}/secret-link`);
    expect(read.status).toBe(400);
    const write = await s.app.request(`${A}/link-out/planted.txt`, { method: 'PUT', body: 'x' });
    expect(write.status).toBe(400);
    expect(fs.existsSync(path.join(s.dir, 'outside-dir/planted.txt'))).toBe(false);
    const list = await s.app.request(`${A}?path=link-out`);
    expect(list.status).toBe(400);
    const del = await s.app.request(`${A}/secret-link`, { method: 'DELETE' });
    expect(del.status).toBe(400);
    expect(fs.existsSync(outside)).toBe(true);
    const top = (await (await s.app.request(A)).json()) as { files?: { path: string }[] };
    expect((top.files ?? []).map((f) => f.path)).not.toContain('secret-link');
  });

  it('refuses traversal in artifacts/list path for a run', async () => {
    const run = (await s.call('POST', 'runs/create', { experiment_id: '0', start_time: 1 })).json.run.info.run_id;
    const r = await s.call('GET', 'artifacts/list', { run_id: run, path: '../../..' });
    expect(r.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    const enc = await s.call('GET', 'artifacts/list', { run_id: run, path: '%2e%2e/%2e%2e' });
    expect(enc.status).toBe(400);
  });

  it('refuses a run whose proxied root itself points outside the destination', async () => {
    const exp = (await s.call('POST', 'experiments/create', { name: 'evil', artifact_location: 'mlflow-artifacts:/../..' })).json.experiment_id;
    const run = (await s.call('POST', 'runs/create', { experiment_id: exp, start_time: 1 })).json.run.info.run_id;
    const r = await s.call('GET', 'artifacts/list', { run_id: run });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('Invalid path');
  });

  it('answers multipart upload with NOT_IMPLEMENTED for a local destination', async () => {
    const r = await s.app.request('/api/2.0/mlflow-artifacts/mpu/create/x.bin', {
      method: 'POST',
      body: '{"path":"x.bin","num_parts":2}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(r.status).toBe(501);
    expect((await r.json()).error_code).toBe('NOT_IMPLEMENTED');
  });
});

describe('--no-serve-artifacts', () => {
  it('disables the proxy endpoints with 503', async () => {
    const s = await makeServer('file', { serveArtifacts: false });
    try {
      const r = await s.app.request(`${A}/x.txt`, { method: 'PUT', body: 'x' });
      expect(r.status).toBe(503);
      expect(await r.text()).toContain('disabled due to the mlflow server running with `--no-serve-artifacts`');
      expect(fs.existsSync(path.join(s.artifacts, 'x.txt'))).toBe(false);
    } finally {
      await s.close();
    }
  });
});

describe('resolveArtifactPath', () => {
  it('keeps safe relative paths under the root, normalised', async () => {
    const root = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'mlf-res-'));
    try {
      expect(await resolveArtifactPath(root, 'a//b/./c.txt')).toBe(path.join(root, 'a/b/c.txt'));
      expect(await resolveArtifactPath(root, '')).toBe(root);
      expect(validateArtifactPath('x/y%20z')).toBe('x/y z');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses every escaping form with "Invalid path"', async () => {
    for (const p of ['..', 'a/../..', '/etc', '%2e%2e', 'a\\..\\b', 'C:/x', '#frag', 'file:///etc']) {
      await expect(resolveArtifactPath('/tmp', p)).rejects.toThrow('Invalid path');
    }
  });
});

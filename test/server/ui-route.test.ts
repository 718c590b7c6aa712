// The web UI's files as `mlf server` serves them: index at `/`, hashed bundle under
// `/static-files/`, gzip when asked, caching, and MLflow's `--static-prefix` layout.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/server/serve.js';
import { tempDir } from '../support/databases.js';
import { makeServer, type TestServer } from './helpers.js';

// A tiny built UI of our own, so these tests need no `npm run build`.
const uiDir = tempDir('mlf-ui-');
fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><script type="module" src="static-files/main-ABCD1234.js"></script>');
fs.writeFileSync(path.join(uiDir, 'main-ABCD1234.js'), 'console.log("ui")');
fs.writeFileSync(path.join(uiDir, 'main-ABCD1234.js.gz'), (await import('node:zlib')).gzipSync('console.log("ui")'));
fs.writeFileSync(path.join(uiDir, 'notes.txt'), 'plain');

describe('web UI route', () => {
  let s: TestServer;
  let p: TestServer;
  beforeAll(async () => {
    s = await makeServer('sqlite', { uiDir });
    p = await makeServer('sqlite', { uiDir, staticPrefix: '/mlflow' });
  });
  afterAll(async () => {
    await s.close();
    await p.close();
  });

  it('serves index.html at / without long caching', async () => {
    const res = await s.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('static-files/main-ABCD1234.js');
  });

  it('serves hashed bundles as immutable, gzipped when the client accepts it', async () => {
    const plain = await s.app.request('/static-files/main-ABCD1234.js');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(plain.headers.get('cache-control')).toContain('immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe('console.log("ui")');
    const gz = await s.app.handle({
      method: 'GET',
      path: '/static-files/main-ABCD1234.js',
      query: '',
      header: (n: string) => (n === 'accept-encoding' ? 'gzip, br' : undefined),
      body: async () => Buffer.alloc(0),
      stream: () => undefined as never,
    });
    expect(gz.headers?.['Content-Encoding']).toBe('gzip');
    expect((await import('node:zlib')).gunzipSync(gz.body as Buffer).toString()).toBe('console.log("ui")');
    expect((await s.app.request('/static-files/notes.txt')).headers.get('cache-control')).toBe('no-cache');
  });

  it('answers MLflow JSON 404s for unknown files, path escapes and other methods', async () => {
    for (const url of ['/static-files/nope.js', '/static-files/../package.json', '/static-files/%2e%2e/x', '/static-files/main-ABCD1234.js.gz', '/other']) {
      const { status, json } = await s.call('GET', url);
      expect(status, url).toBe(404);
      expect(json.error_code, url).toBe('ENDPOINT_NOT_FOUND');
    }
    expect((await s.call('POST', '/')).status).toBe(404);
  });

  it('says how to build the UI when it is missing', async () => {
    const bare = await makeServer('sqlite', { uiDir: path.join(uiDir, 'absent') });
    try {
      const { status, json } = await bare.call('GET', '/');
      expect(status).toBe(404);
      expect(json.message).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });

  it('moves the UI, /ajax-api and /health under --static-prefix and keeps /api at the root', async () => {
    expect((await p.app.request('/mlflow/')).status).toBe(200);
    expect((await p.app.request('/mlflow/static-files/main-ABCD1234.js')).status).toBe(200);
    const redirect = await p.app.request('/mlflow', { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/mlflow/');
    expect((await p.call('GET', '/mlflow/ajax-api/2.0/mlflow/experiments/get', { experiment_id: '0' })).json.experiment.name).toBe('Default');
    expect((await p.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' })).status).toBe(200);
    expect(await (await p.app.request('/mlflow/health')).text()).toBe('OK');
    for (const url of ['/', '/health', '/ajax-api/2.0/mlflow/experiments/get?experiment_id=0', '/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0', '/mlflowx/']) {
      expect((await p.app.request(url)).status, url).toBe(404);
    }
  });

  it("checks --static-prefix with MLflow's messages", () => {
    expect(resolveSettings({ staticPrefix: '/mlflow' }).staticPrefix).toBe('/mlflow');
    expect(() => resolveSettings({ staticPrefix: 'mlflow/' })).toThrow("--static-prefix must begin with a '/'.");
    expect(() => resolveSettings({ staticPrefix: '/mlflow/' })).toThrow("--static-prefix should not end with a '/'.");
  });
});

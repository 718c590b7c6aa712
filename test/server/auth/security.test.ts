/** Host and Origin checks: DNS-rebinding and CORS probes against the app with the security layer. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/server/app.js';
import { createLogger } from '../../../src/server/logger.js';
import { CORS_BLOCKED_MESSAGE, defaultAllowedHosts, fnmatch, INVALID_HOST_MESSAGE, securityLayer, type SecurityOptions } from '../../../src/server/auth/security.js';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import type { TrackingStore } from '../../../src/stores/tracking-store.js';
import { tempDir } from '../../support/databases.js';

describe('host and origin checks', () => {
  let dir: string;
  let store: TrackingStore;
  const appWith = (o: SecurityOptions) =>
    createApp({ store, artifactsDestination: path.join(dir, 'a'), logger: createLogger('none'), middleware: [securityLayer(o, createLogger('none'))] });
  const send = (app: ReturnType<typeof appWith>, p: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    app.fetch(new Request(`http://placeholder${p}`, { method: init.method ?? 'GET', headers: init.headers, body: init.body }));

  beforeAll(async () => {
    dir = tempDir('mlf-auth-sec-');
    store = await openTrackingStore(path.join(dir, 'mlruns'));
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a Host that is not allowed (DNS rebinding) and accepts localhost forms, private ranges and the bound address', async () => {
    const app = appWith({ boundHost: '203.0.113.7' });
    const get = (host: string) => send(app, '/api/2.0/mlflow/experiments/get?experiment_id=0', { headers: { Host: host } });
    const evil = await get('evil.example.com');
    expect(evil.status).toBe(403);
    expect(await evil.text()).toBe(INVALID_HOST_MESSAGE);
    expect((await get('evil.example.com:5000')).status).toBe(403);
    expect((await get('localhost.evil.com')).status).toBe(403);
    for (const ok of ['localhost', 'localhost:5000', '127.0.0.1:5000', '[::1]:5000', '192.168.1.20:5000', '10.0.0.1', '172.20.1.1:80', '203.0.113.7:5000']) {
      expect((await get(ok)).status, ok).toBe(200);
    }
    expect((await get('172.32.0.1:80')).status).toBe(403);
    // health checks come from anywhere
    expect((await send(app, '/health', { headers: { Host: 'evil.example.com' } })).status).toBe(200);
  });

  it("takes --allowed-hosts patterns, and '*' allows every host", async () => {
    const app = appWith({ allowedHosts: ['mlflow.example.com', '*.internal:5000'] });
    const get = (host: string) => send(app, '/api/2.0/mlflow/experiments/get?experiment_id=0', { headers: { Host: host } });
    expect((await get('mlflow.example.com')).status).toBe(200);
    expect((await get('a.internal:5000')).status).toBe(200);
    expect((await get('a.internal:5001')).status).toBe(403);
    expect((await get('localhost:5000')).status).toBe(403);
    expect((await send(appWith({ allowedHosts: ['*'] }), '/api/2.0/mlflow/experiments/get?experiment_id=0', { headers: { Host: 'x.y' } })).status).toBe(200);
  });

  it('blocks state-changing API calls from other origins, unless allowed', async () => {
    const post = (app: ReturnType<typeof appWith>, origin: string) =>
      send(app, '/api/2.0/mlflow/experiments/create', {
        method: 'POST',
        headers: { Host: 'localhost:5000', Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `e-${Math.random()}` }),
      });
    const closed = appWith({});
    const blocked = await post(closed, 'https://evil.example.com');
    expect(blocked.status).toBe(403);
    expect(await blocked.text()).toBe(CORS_BLOCKED_MESSAGE);
    expect((await post(closed, 'http://localhost:3000')).status).toBe(200);
    // reads from another origin are not blocked, but get no CORS headers (the browser hides them)
    const read = await send(closed, '/api/2.0/mlflow/experiments/get?experiment_id=0', { headers: { Host: 'localhost', Origin: 'https://evil.example.com' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();

    const open = appWith({ corsAllowedOrigins: ['https://app.example.com', 'https://*.corp.example'] });
    const ok = await post(open, 'https://app.example.com');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await post(open, 'https://x.corp.example')).status).toBe(200);
    expect((await post(open, 'https://evil.example.com')).status).toBe(403);
    expect((await post(appWith({ corsAllowedOrigins: ['*'] }), 'https://anyone.example')).status).toBe(200);
  });

  it('answers a preflight with 204 and the allowed methods and headers for an allowed origin only', async () => {
    const app = appWith({ corsAllowedOrigins: ['https://app.example.com'] });
    const pre = (origin: string) =>
      send(app, '/api/2.0/mlflow/runs/log-batch', {
        method: 'OPTIONS',
        headers: { Host: 'localhost', Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,authorization' },
      });
    const ok = await pre('https://app.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE, OPTIONS, PATCH');
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    const no = await pre('https://evil.example.com');
    expect(no.status).toBe(204);
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds nosniff and X-Frame-Options to every reply', async () => {
    const r = await send(appWith({}), '/health', { headers: { Host: 'localhost' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect((await send(appWith({ xFrameOptions: 'NONE' }), '/health')).headers.get('x-frame-options')).toBeNull();
  });

  it("matches patterns as Python's fnmatch does", () => {
    expect(fnmatch('[::1]:5000', '[[]::1]:*')).toBe(true);
    expect(fnmatch('a.b', 'a?b')).toBe(true);
    expect(fnmatch('a.b', 'a*')).toBe(true);
    expect(fnmatch('ab', 'a.b')).toBe(false);
    expect(defaultAllowedHosts('0.0.0.0')).not.toContain('0.0.0.0:*:*');
  });
});

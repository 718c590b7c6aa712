/**
 * A real `mlf server` app on a loopback port for the browser tests and the UI bench: SQLite store,
 * proxied artifacts, and the UI built from ui/src into a temporary folder (so `dist/` is not needed).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/server/app.js';
import { nodeListener } from '../../src/server/http.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';

/** The repository root, from this file in test/ui (source) or dist/test/ui (built). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export function buildUi(out: string): void {
  execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'build-ui.js'), out], { stdio: 'pipe' });
}

export interface UiServer {
  url: string;
  dir: string;
  store: TrackingStore;
  /** JSON call to the REST API (`endpoint` like 'runs/create'). */
  api(method: string, endpoint: string, body?: unknown): Promise<any>;
  /** Stops listening (the page then sees a down server); `close` also drops the store and files. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startUiServer(opts: { staticPrefix?: string; uiDir?: string; dir?: string } = {}): Promise<UiServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-ui-'));
  const uiDir = opts.uiDir ?? path.join(dir, 'ui');
  if (!fs.existsSync(path.join(uiDir, 'index.html'))) buildUi(uiDir);
  const store = await openTrackingStore(`sqlite:///${path.join(dir, 'mlflow.db')}`, { artifactRoot: 'mlflow-artifacts:/' });
  const app = createApp({ store, artifactsDestination: path.join(dir, 'mlartifacts'), logger: createLogger('none'), uiDir, staticPrefix: opts.staticPrefix });
  const server = http.createServer(nodeListener(app.handle));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }));
  return {
    url,
    dir,
    store,
    async api(method, endpoint, body) {
      const res = await app.request(`/api/2.0/${endpoint}`, {
        method,
        headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`${endpoint}: ${JSON.stringify(json)}`);
      return json;
    },
    stop,
    async close() {
      await stop();
      await store.close();
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

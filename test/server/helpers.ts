/** Shared set-up for the server tests: a real store (file folder or SQLite) behind `createApp`. */
import fs from 'node:fs';
import path from 'node:path';
import { createApp, type AppOptions } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { tempDir } from '../support/databases.js';

export type StoreKind = 'file' | 'sqlite';
export const STORE_KINDS: StoreKind[] = ['file', 'sqlite'];

export interface TestServer {
  app: ReturnType<typeof createApp>;
  store: TrackingStore;
  dir: string;
  artifacts: string;
  /** JSON request helper: GET with a query object, anything else with a JSON body. */
  call(method: string, route: string, body?: Record<string, unknown>): Promise<{ status: number; json: any; res: Response }>;
  close(): Promise<void>;
}

/**
 * `call(method, route, body)` against an app without a socket: GET fields go in the query string,
 * others in a JSON body, as MLflow's client sends them, with any extra `headers`. `json` is the
 * parsed body, or its text.
 */
export function apiCaller(app: { request(path: string, init?: RequestInit): Promise<Response> }) {
  return async (method: string, route: string, body?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    let url = route.startsWith('/') ? route : `/api/2.0/mlflow/${route}`;
    const init: RequestInit = { method, headers: { ...headers } };
    if (method === 'GET' && body) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) {
        if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
        else if (v !== undefined) q.append(k, String(v));
      }
      url += `?${q}`;
    } else if (body) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const res = await app.request(url, init);
    const text = await res.text();
    let json: any = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, json, res, headers: res.headers };
  };
}

export async function makeServer(kind: StoreKind, extra: Partial<AppOptions> = {}): Promise<TestServer> {
  const dir = tempDir('mlf-server-');
  const artifacts = path.join(dir, 'mlartifacts');
  const uri = kind === 'file' ? path.join(dir, 'mlruns') : `sqlite:///${path.join(dir, 'mlflow.db')}`;
  const store = await openTrackingStore(uri, { artifactRoot: 'mlflow-artifacts:/' });
  const app = createApp({ store, artifactsDestination: artifacts, logger: createLogger('none'), ...extra });
  const call = apiCaller(app);
  return {
    app,
    store,
    dir,
    artifacts,
    call,
    close: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

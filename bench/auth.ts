/**
 * What the basic-auth app costs per request (in process, through the app's fetch handler, SQLite
 * stores): a read without auth against the same read signed in (remembered credentials, a permission
 * lookup), the first sign-in of a user (one werkzeug scrypt hash), and a signed-in user's read while
 * another account is flooded with bad passwords.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { openTrackingStore } from '../src/stores/open-store.js';
import { authLayer } from '../src/server/auth/middleware.js';
import { authRoutes } from '../src/server/auth/routes.js';
import { openAuthForServer } from '../src/server/auth/server-layers.js';

interface Row {
  name: string;
  ms: number;
  baselineMs?: number;
  baseline?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

export async function benchAuth(): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-auth-'));
  const logger = createLogger('none');
  const store = await openTrackingStore(`sqlite:///${path.join(dir, 'mlflow.db')}`, { artifactRoot: 'mlflow-artifacts:/' });
  const config = { defaultPermission: 'READ' as const, databaseUri: `sqlite:///${path.join(dir, 'auth.db')}`, adminUsername: 'admin', adminPassword: 'admin-pw', authorizationFunction: '', source: 'bench' };
  const auth = await openAuthForServer(config, logger);
  try {
    const plain = createApp({ store, logger, artifactsDestination: path.join(dir, 'a') });
    const guarded = createApp({
      store,
      logger,
      artifactsDestination: path.join(dir, 'a'),
      middleware: [authLayer({ auth, config, tracking: store, logger })],
      extendRoutes: (t) => authRoutes(t, auth),
    });
    const id = await store.createExperiment({ name: 'bench', tags: [] });
    for (const u of ['alice', 'bob']) await auth.createUser(u, `${u}-pw`);
    await auth.createExperimentPermission(id, 'alice', 'EDIT');
    const get = (app: typeof plain, who?: [string, string]) => async () => {
      const r = await app.request(`/api/2.0/mlflow/experiments/get?experiment_id=${id}`, { headers: who ? { Authorization: basic(...who) } : {} });
      if (r.status !== 200) throw new Error(`experiments/get: ${r.status}`);
      await r.arrayBuffer();
    };
    const time = async (n: number, fn: () => Promise<void>) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await fn();
        ms.push(performance.now() - t0);
      }
      return median(ms);
    };
    const rows: Row[] = [];
    await time(50, get(plain));
    await time(50, get(guarded, ['alice', 'alice-pw']));
    const off = await time(300, get(plain));
    const on = await time(300, get(guarded, ['alice', 'alice-pw']));
    rows.push({ name: 'auth: experiments/get signed in (non-admin, permission checked)', ms: on, baselineMs: off, baseline: 'same request without --app-name' });

    const firstSignIn: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = createApp({ store, logger, middleware: [authLayer({ auth, config, tracking: store, logger })] });
      const t0 = performance.now();
      await get(fresh, ['bob', 'bob-pw'])();
      firstSignIn.push(performance.now() - t0);
    }
    rows.push({ name: 'auth: first request of a user (one scrypt hash)', ms: median(firstSignIn) });

    let stop = false;
    const flood = (async () => {
      let i = 0;
      while (!stop) {
        await Promise.all(Array.from({ length: 50 }, () => guarded.request('/api/2.0/mlflow/experiments/search?max_results=1', { headers: { Authorization: basic('bob', `guess-${i++}`) } }).then((r) => r.arrayBuffer())));
      }
    })();
    const during = await time(300, get(guarded, ['alice', 'alice-pw']));
    stop = true;
    await flood;
    rows.push({ name: "auth: a signed-in user's read while another account is brute-forced", ms: during, baselineMs: on, baseline: 'same read, no flood' });
    return rows;
  } finally {
    await store.close();
    await auth.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

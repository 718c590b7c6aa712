/** On a database at MLflow 2.17's revision the logged-model endpoints refuse clearly; runs still read. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { tempDir } from '../support/databases.js';
import { apiCaller } from '../server/helpers.js';

it('answers 400 with the upgrade hint at revision f5a4f2784254 (also for metrics with a model id), and runs/get still works', async () => {
  const dir = tempDir('mlf-lm-old-');
  const file = path.join(dir, 'mlflow.db');
  (await openTrackingStore(`sqlite:///${file}`)).close();
  const raw = new Database(file);
  raw.prepare("update alembic_version set version_num = 'f5a4f2784254'").run();
  raw.close();
  const store = await openTrackingStore(`sqlite:///${file}`);
  try {
    const call = apiCaller(createApp({ store, logger: createLogger('none') }));
    const r = await call('POST', 'logged-models', { experiment_id: '0' });
    expect([r.status, r.json.error_code]).toEqual([400, 'BAD_REQUEST']);
    expect(r.json.message).toContain('mlf db upgrade');
    const run = (await call('POST', 'runs/create', { experiment_id: '0' })).json.run.info.run_id;
    const got = await call('GET', 'runs/get', { run_id: run });
    expect(got.status).toBe(200);
    // A metric for a logged model is refused the same way, with nothing written; a plain one is logged.
    const lm = await call('POST', 'runs/log-metric', { run_id: run, key: 'acc', value: 1, timestamp: 1, model_id: 'm-1' });
    expect([lm.status, lm.json.error_code]).toEqual([400, 'BAD_REQUEST']);
    expect(lm.json.message).toContain('mlf db upgrade');
    expect((await call('GET', 'metrics/get-history', { run_id: run, metric_key: 'acc' })).json.metrics).toBeUndefined();
    expect((await call('POST', 'runs/log-metric', { run_id: run, key: 'acc', value: 1, timestamp: 1 })).status).toBe(200);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Metrics logged with `model_id`, `dataset_name` and `dataset_digest` (runs/log-metric and
 * runs/log-batch, MLflow 3) land in the logged model's metrics as well as the run's, on the file
 * store and every database dialect: get shows them, search filters and orders by them, and an
 * unknown model is refused with nothing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';
import { apiCaller } from '../server/helpers.js';

async function storeUri(kind: string): Promise<TestDatabase> {
  if (kind !== 'file') return createTestDatabase(kind as TestDatabase['dialect']);
  const dir = tempDir('mlf-lm-metrics-');
  return { dialect: 'sqlite', uri: path.join(dir, 'mlruns'), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

for (const kind of ['file', ...testDialects()]) {
  describe(`metrics logged for logged models (${kind})`, async () => {
    const skip = kind === 'file' ? false : await skipUnlessAvailable(kind as TestDatabase['dialect']);
    let db: TestDatabase;
    let store: TrackingStore;
    let call: ReturnType<typeof apiCaller>;
    let exp: string;
    let runId: string;
    const model = async (name: string) => (await call('POST', 'logged-models', { experiment_id: exp, name, source_run_id: runId })).json.model.info.model_id as string;
    const metricsOf = async (id: string) => ((await call('GET', `logged-models/${id}`, { allow_deleted: 'true' })).json.model.data.metrics ?? []) as Record<string, unknown>[];
    const byKeyStep = (a: any, b: any) => a.key.localeCompare(b.key) || a.step - b.step || a.timestamp - b.timestamp;

    beforeAll(async () => {
      if (skip) return;
      db = await storeUri(kind);
      store = await openTrackingStore(db.uri, { artifactRoot: 'mlflow-artifacts:/' });
      call = apiCaller(createApp({ store, logger: createLogger('none') }));
      exp = (await call('POST', 'experiments/create', { name: 'lm-metrics' })).json.experiment_id;
      runId = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id;
    });
    afterAll(async () => {
      if (skip) return;
      await store.close();
      await db.drop();
    });

    it.skipIf(skip)('log-metric with model_id and dataset lands on the run and on the model', async () => {
      const id = await model('single');
      const r = await call('POST', 'runs/log-metric', { run_id: runId, key: 'acc', value: 0.75, timestamp: 1000, step: 2, model_id: id, dataset_name: 'eval', dataset_digest: 'd1' });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(await metricsOf(id)).toEqual([{ key: 'acc', value: 0.75, timestamp: 1000, step: 2, dataset_name: 'eval', dataset_digest: 'd1', model_id: id, run_id: runId }]);
      const run = (await call('GET', 'runs/get', { run_id: runId })).json.run;
      expect(run.data.metrics).toContainEqual({ key: 'acc', value: 0.75, timestamp: 1000, step: 2 });
      // Empty model fields are unset, as MLflow reads them: the point stays with the run only.
      await call('POST', 'runs/log-metric', { run_id: runId, key: 'acc', value: 0.8, timestamp: 1001, step: 3, model_id: '', dataset_name: '', dataset_digest: '' });
      expect(await metricsOf(id)).toHaveLength(1);
    });

    it.skipIf(skip)('log-batch sends each point to its model, once, and none without a model id', async () => {
      const a = await model('batch-a');
      const b = await model('batch-b');
      const r = await call('POST', 'runs/log-batch', {
        run_id: runId,
        metrics: [
          { key: 'loss', value: 0.5, timestamp: 10, step: 0, model_id: a },
          { key: 'loss', value: 0.4, timestamp: 20, step: 1, model_id: a, dataset_name: 'train', dataset_digest: 'abc' },
          { key: 'loss', value: 0.4, timestamp: 20, step: 1, model_id: a, dataset_name: 'train', dataset_digest: 'abc' },
          { key: 'f1', value: 0.9, timestamp: 30, step: 0, model_id: b },
          { key: 'plain', value: 1, timestamp: 40, step: 0 },
        ],
      });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect((await metricsOf(a)).sort(byKeyStep)).toEqual([
        { key: 'loss', value: 0.5, timestamp: 10, step: 0, model_id: a, run_id: runId },
        { key: 'loss', value: 0.4, timestamp: 20, step: 1, dataset_name: 'train', dataset_digest: 'abc', model_id: a, run_id: runId },
      ]);
      expect(await metricsOf(b)).toEqual([{ key: 'f1', value: 0.9, timestamp: 30, step: 0, model_id: b, run_id: runId }]);
      const history = await call('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss' });
      expect(history.json.metrics).toHaveLength(2);
    });

    it.skipIf(skip)('search filters and orders models by the metrics logged for them, per dataset too', async () => {
      const e2 = (await call('POST', 'experiments/create', { name: 'lm-metrics-search' })).json.experiment_id;
      const run2 = (await call('POST', 'runs/create', { experiment_id: e2 })).json.run.info.run_id;
      const mk = async (name: string) => (await call('POST', 'logged-models', { experiment_id: e2, name })).json.model.info.model_id as string;
      const [lo, mid, hi] = [await mk('lo'), await mk('mid'), await mk('hi')];
      const log = (id: string, value: number, dataset?: string) =>
        call('POST', 'runs/log-metric', { run_id: run2, key: 'acc', value, timestamp: 5, step: 0, model_id: id, ...(dataset ? { dataset_name: dataset, dataset_digest: 'x' } : {}) });
      await log(lo, 0.2);
      await log(mid, 0.6, 'eval');
      await log(hi, 0.9);
      const names = async (body: Record<string, unknown>) => {
        const r = await call('POST', 'logged-models/search', { experiment_ids: [e2], ...body });
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        return (r.json.models ?? []).map((m: any) => m.info.name);
      };
      expect(await names({ filter: 'metrics.acc > 0.5', order_by: [{ field_name: 'metrics.acc', ascending: false }] })).toEqual(['hi', 'mid']);
      expect(await names({ order_by: [{ field_name: 'metrics.acc', ascending: true }] })).toEqual(['lo', 'mid', 'hi']);
      expect(await names({ filter: 'metrics.acc > 0.1', datasets: [{ dataset_name: 'eval' }] })).toEqual(['mid']);
    });

    it.skipIf(skip)('refuses an unknown model (RESOURCE_DOES_NOT_EXIST) and writes nothing, not even the run point', async () => {
      const unknown = 'm-00000000000000000000000000000000';
      const one = await call('POST', 'runs/log-metric', { run_id: runId, key: 'ghost', value: 1, timestamp: 1, model_id: unknown });
      expect([one.status, one.json.error_code, one.json.message]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${unknown}' not found.`]);
      const id = await model('partial');
      const batch = await call('POST', 'runs/log-batch', {
        run_id: runId,
        metrics: [
          { key: 'ghost', value: 1, timestamp: 2, step: 0, model_id: id },
          { key: 'ghost', value: 2, timestamp: 3, step: 0, model_id: unknown },
        ],
      });
      expect([batch.status, batch.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      expect((await call('GET', 'metrics/get-history', { run_id: runId, metric_key: 'ghost' })).json.metrics).toBeUndefined();
      expect(await metricsOf(id)).toEqual([]);
      const long = await call('POST', 'runs/log-metric', { run_id: runId, key: 'ghost', value: 1, timestamp: 1, model_id: id, dataset_name: 'd', dataset_digest: 'x'.repeat(37) });
      expect([long.status, long.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect((await call('GET', 'metrics/get-history', { run_id: runId, metric_key: 'ghost' })).json.metrics).toBeUndefined();
    });

    it.skipIf(skip)('still records points for a deleted model (it exists), which get with allow_deleted shows', async () => {
      const id = await model('gone');
      await call('DELETE', `logged-models/${id}`);
      const r = await call('POST', 'runs/log-metric', { run_id: runId, key: 'late', value: 3, timestamp: 9, model_id: id });
      expect(r.status).toBe(200);
      expect(await metricsOf(id)).toEqual([{ key: 'late', value: 3, timestamp: 9, step: 0, model_id: id, run_id: runId }]);
    });
  });
}

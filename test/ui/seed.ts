/** The store the browser tests click through: two experiments, runs with history, artifacts, a registered model. */
import fs from 'node:fs';
import path from 'node:path';
import type { UiServer } from './serve-ui.js';

// A 2×2 PNG (red, green / blue, white).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGO4o6GhscCGQSPgxK9fvwAjXgZfRE3+dAAAAABJRU5ErkJggg==',
  'base64',
);

export interface Seeded {
  alpha: string;
  beta: string;
  best: string;
  other: string;
  runIds: string[];
  historyPoints: number;
}

export async function seed(s: UiServer, opts: { runs?: number; historyPoints?: number } = {}): Promise<Seeded> {
  const nRuns = opts.runs ?? 30;
  const historyPoints = opts.historyPoints ?? 10_000;
  const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
  const alpha = (await s.api('POST', 'mlflow/experiments/create', { name: 'alpha' })).experiment_id;
  const beta = (await s.api('POST', 'mlflow/experiments/create', { name: 'beta' })).experiment_id;
  const old = (await s.api('POST', 'mlflow/experiments/create', { name: 'old-experiment' })).experiment_id;
  await s.api('POST', 'mlflow/experiments/delete', { experiment_id: old });

  const runIds: string[] = [];
  for (let i = 0; i < nRuns; i++) {
    const run = (await s.api('POST', 'mlflow/runs/create', { experiment_id: alpha, run_name: `run-${String(i).padStart(2, '0')}`, start_time: t0 + i * 60_000, user_id: 'ada' })).run;
    const id = run.info.run_id;
    runIds.push(id);
    await s.api('POST', 'mlflow/runs/log-batch', {
      run_id: id,
      params: [
        { key: 'lr', value: (0.001 * (i + 1)).toFixed(3) },
        { key: 'model', value: i % 2 ? 'tree' : 'linear' },
      ],
      metrics: [
        { key: 'loss', value: 1 / (i + 1), timestamp: t0 + i * 60_000, step: 0 },
        { key: 'accuracy', value: 0.5 + i / (2 * nRuns), timestamp: t0 + i * 60_000, step: 0 },
      ],
      tags: [{ key: 'team', value: i % 3 ? 'vision' : 'nlp' }],
    });
    await s.api('POST', 'mlflow/runs/update', { run_id: id, status: 'FINISHED', end_time: t0 + i * 60_000 + 90_000 });
  }
  const best = runIds[nRuns - 1]!;
  const other = runIds[nRuns - 2]!;

  // A long history on `best` (and a shorter one on `other`, for the overlay), 1000 points per batch as MLflow allows.
  for (const [id, n] of [
    [best, historyPoints],
    [other, Math.min(historyPoints, 2000)],
  ] as const) {
    for (let start = 0; start < n; start += 1000) {
      const metrics = [];
      for (let step = start; step < Math.min(n, start + 1000); step++) {
        metrics.push({ key: 'train_loss', value: 2 * Math.exp(-step / 2000) + 0.05 * Math.sin(step / 7) + 0.1, timestamp: t0 + step * 100, step });
      }
      await s.api('POST', 'mlflow/runs/log-batch', { run_id: id, metrics });
    }
  }
  await s.api('POST', 'mlflow/runs/log-batch', {
    run_id: best,
    tags: [
      { key: 'mlflow.source.name', value: 'train.py' },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.source.git.commit', value: '3f2a9c1d0b7e4f5a6c8d9e0f1a2b3c4d5e6f7a8b' },
      { key: 'mlflow.note.content', value: 'The best run so far.' },
    ],
  });
  await s.api('POST', 'mlflow/runs/log-inputs', {
    run_id: best,
    datasets: [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: { name: 'iris', digest: 'a1b2c3d4', source_type: 'local', source: '{"uri": "/data/iris.csv"}', schema: '', profile: '' },
      },
    ],
  });
  await s.api('POST', 'mlflow/runs/log-model', {
    run_id: best,
    model_json: JSON.stringify({ artifact_path: 'model', flavors: { sklearn: {}, python_function: {} }, run_id: best, utc_time_created: '2026-01-05 09:30:00.000000' }),
  });

  // Artifacts as the proxy stores them: <destination>/<experiment>/<run>/artifacts/...
  const art = path.join(s.dir, 'mlartifacts', alpha, best, 'artifacts');
  fs.mkdirSync(path.join(art, 'model'), { recursive: true });
  fs.writeFileSync(path.join(art, 'notes.txt'), 'hello from the best run\n');
  fs.writeFileSync(path.join(art, 'metrics.json'), '{"f1":0.91,"classes":["a","b"]}');
  fs.writeFileSync(path.join(art, 'plot.png'), PNG);
  fs.writeFileSync(path.join(art, 'model', 'MLmodel'), 'flavors:\n  sklearn: {}\n');

  await s.api('POST', 'mlflow/registered-models/create', { name: 'demo-model', description: 'A model for the UI tests' });
  for (const run of [other, best]) {
    await s.api('POST', 'mlflow/model-versions/create', { name: 'demo-model', source: `mlflow-artifacts:/${alpha}/${run}/artifacts/model`, run_id: run });
  }
  await s.api('POST', 'mlflow/registered-models/alias', { name: 'demo-model', alias: 'champion', version: '2' });
  return { alpha, beta, best, other, runIds, historyPoints };
}

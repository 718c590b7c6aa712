/**
 * `mlf gc` end to end: the built binary (run `npm run build` first), its output and exit codes, and
 * a gc killed half-way (SIGKILL) that leaves a readable store which the next gc finishes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { skipUnlessAvailable, tempDir } from '../support/databases.js';
import { addExperiment, addRuns, fillDeletedRuns, headDatabase, type HeadDb } from './support.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const mlf = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, MLFLOW_TRACKING_URI: '', ...env } });

async function count(h: HeadDb, table: string): Promise<number> {
  const r = await h.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('mlf gc (command)', () => {
  let h: HeadDb;
  beforeAll(async () => {
    h = await headDatabase('sqlite');
  });
  afterAll(async () => {
    await h?.close();
  });

  it("refuses a bad --older-than with MLflow's message and exit 2", () => {
    const r = mlf(['gc', '--backend-store-uri', h.test.uri, '--older-than', '3w']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      "Error: Could not parse any time information from '3w'. Examples of valid strings: '8h', '2d8h5m20s', '2m4s'",
    );
  });

  it('shows what it would do with --dry-run --json, then does it, with a summary and no progress bar in a pipe', async () => {
    const exp = await addExperiment(h.db);
    const ids = await addRuns(h.db, 3, { experimentId: exp.id, metrics: 4, params: 1, tags: 1 });
    const dry = mlf(['gc', '--backend-store-uri', h.test.uri, '--dry-run', '--json']);
    expect(dry.status).toBe(0);
    const s = JSON.parse(dry.stdout);
    expect(s).toMatchObject({ dryRun: true, runs: 3, experiments: 0, rows: { runs: 3, metrics: 12, params: 3, tags: 3 } });
    expect(s.runIds.sort()).toEqual([...ids].sort());
    expect(await count(h, 'runs')).toBeGreaterThanOrEqual(3);

    const real = mlf(['gc', '--tracking-uri', h.test.uri]);
    expect(real.status).toBe(0);
    expect(real.stderr).toBe('');
    expect(real.stdout).toMatch(/^Purged 3 runs and 0 experiments \(\d+ rows: .*runs 3.*\); freed 0 B of artifacts\.$/m);
    expect(await h.db.selectFrom('runs').select('run_uuid').where('run_uuid', 'in', ids).execute()).toEqual([]);
  });

  it('names an active run and removes nothing', async () => {
    const exp = await addExperiment(h.db);
    const [del] = await addRuns(h.db, 1, { experimentId: exp.id });
    const [act] = await addRuns(h.db, 1, { experimentId: exp.id, stage: 'active' });
    const r = mlf(['gc', '--backend-store-uri', h.test.uri, '--run-ids', `${del},${act}`]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`Error: Run ${act} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`);
    expect((await h.db.selectFrom('runs').select('run_uuid').where('run_uuid', '=', del!).execute()).length).toBe(1);
  });
});

for (const dialect of ['sqlite', 'postgresql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`mlf gc killed half-way (${dialect})`, () => {
    let h: HeadDb;
    const RUNS = 6000;
    beforeAll(async () => {
      h = await headDatabase(dialect);
      const exp = await addExperiment(h.db);
      await fillDeletedRuns(h, exp.id, RUNS);
      const gone = await addExperiment(h.db, { stage: 'deleted' });
      await addRuns(h.db, 5, { experimentId: gone.id, datasets: true });
    }, 300_000);
    afterAll(async () => {
      await h?.close();
    });

    it('leaves every remaining run whole and readable, and the next gc finishes the job', async () => {
      const cwd = tempDir('mlf-gc-kill-');
      const child = spawn(process.execPath, [BIN, 'gc', '--backend-store-uri', h.test.uri], { cwd, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      // Kill it once some runs are gone but many remain.
      let left = RUNS;
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        left = await count(h, 'runs');
        if (left < RUNS - 500) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      await exited;
      left = await count(h, 'runs');
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(RUNS + 5);

      // Every run still there is whole: all its metrics, params and tags.
      const partial = await h.db
        .selectFrom('runs as r')
        .select('r.run_uuid')
        .where((eb) =>
          eb.or([
            eb(eb.selectFrom('metrics as m').select((e) => e.fn.countAll().as('n')).whereRef('m.run_uuid', '=', 'r.run_uuid'), '<>', 100),
            eb(eb.selectFrom('params as p').select((e) => e.fn.countAll().as('n')).whereRef('p.run_uuid', '=', 'r.run_uuid'), '<>', 10),
            eb(eb.selectFrom('tags as t').select((e) => e.fn.countAll().as('n')).whereRef('t.run_uuid', '=', 'r.run_uuid'), '<>', 10),
          ]),
        )
        .where('r.artifact_uri', 'not like', '/tmp/nowhere/%')
        .execute();
      expect(partial).toEqual([]);

      // The store reads fine.
      const store = await openTrackingStore(h.test.uri);
      try {
        const any = await h.db.selectFrom('runs').select(['run_uuid', 'experiment_id']).executeTakeFirstOrThrow();
        const run = await store.getRun(any.run_uuid as string);
        expect(run.info.lifecycleStage).toBe('deleted');
        const page = await store.searchRuns({ experimentIds: [String(any.experiment_id)], viewType: 'DELETED_ONLY', maxResults: 10 });
        expect(page.items.length).toBeGreaterThan(0);
      } finally {
        await store.close();
      }

      const again = spawnSync(process.execPath, [BIN, 'gc', '--backend-store-uri', h.test.uri, '--json'], { cwd, encoding: 'utf8' });
      expect(again.status).toBe(0);
      expect(JSON.parse(again.stdout).runs).toBe(left);
      for (const t of ['runs', 'metrics', 'params', 'tags', 'latest_metrics', 'inputs', 'input_tags', 'datasets']) expect(await count(h, t)).toBe(0);
      expect(await count(h, 'experiments')).toBe(2); // Default and the active one
      fs.rmSync(cwd, { recursive: true, force: true });
    }, 300_000);
  });
}

/**
 * Exports end to end with the built CLI: `experiments csv` (MLflow's search_runs frame),
 * `runs list --columns 'metrics.*'`, `--json-lines`, the lifecycle column, MLflow's command names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, runCli, runJson, runOk } from './run-cli.js';
import { tempStore, type CliStoreKind, type TempStore } from './store-helpers.js';
import { createTestDatabase, skipUnlessAvailable, type TestDatabase } from '../support/databases.js';

beforeAll(() => {
  if (!cliBuilt()) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests');
});

for (const kind of ['file', 'sqlite'] as CliStoreKind[]) {
  describe(`exports on a ${kind} store`, () => {
    let s: TempStore;
    const opts = () => ({ env: { MLFLOW_TRACKING_URI: s.uri } });
    let exp = '';
    const runs: string[] = [];

    beforeAll(async () => {
      s = tempStore(kind);
      exp = (await runJson(['experiments', 'create', '-n', 'exp'], opts())).experiment_id;
      const log = async (args: string[]) => (await runOk(['runs', 'log', '--experiment-id', exp, '--no-source-tags', ...args], opts())).stdout.trim();
      runs.push(await log(['--param', 'lr=0.1', '--metric', 'loss=0.5', '--tag', 'team=a,b', '--end']));
      runs.push(await log(['--param', 'depth=3', '--metric', 'acc=1', '--metric', 'loss=0.25']));
      runs.push(await log(['--metric', 'loss=9']));
      await runOk(['runs', 'delete', '--run-id', runs[2]!], opts());
    });
    afterAll(() => s.remove());

    it('experiments csv writes every param, metric and tag as a column, as MLflow does', async () => {
      const out = path.join(s.dir, 'runs.csv');
      const r = await runOk(['experiments', 'csv', '-x', exp, '-o', out], opts());
      expect(r.stdout.trim()).toBe(`Experiment with ID ${exp} has been exported as a CSV to file: ${out}.`);
      const lines = fs.readFileSync(out, 'utf8').split('\n');
      expect(lines.at(-1)).toBe('');
      const head = lines[0]!.split(',');
      expect(head.slice(0, 6)).toEqual(['run_id', 'experiment_id', 'status', 'artifact_uri', 'start_time', 'end_time']);
      expect(head.slice(6).sort()).toEqual(['metrics.acc', 'metrics.loss', 'params.depth', 'params.lr', 'tags.mlflow.runName', 'tags.team'].sort());
      expect(lines).toHaveLength(4); // two active runs; the deleted one is left out
      const row = (id: string) => lines.find((l) => l.startsWith(id))!;
      const first = row(runs[0]!);
      expect(first).toContain('"a,b"');
      expect(first).toMatch(/,FINISHED,/);
      expect(first).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00/);
      const cells = (line: string) => line.split(',');
      const second = cells(row(runs[1]!));
      expect(second[head.indexOf('metrics.acc')]).toBe('1.0');
      expect(second[head.indexOf('params.lr')]).toBe('');
      expect(second[head.indexOf('params.depth')]).toBe('3');
      const stdout = await runOk(['experiments', 'csv', '--experiment-id', exp], opts());
      expect(stdout.stdout).toBe(fs.readFileSync(out, 'utf8'));
    });

    it('experiments csv refuses an unknown experiment with one line and writes no file', async () => {
      const out = path.join(s.dir, 'none.csv');
      const r = await runCli(['experiments', 'csv', '-x', '424242', '-o', out], opts());
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(out)).toBe(false);
    });

    it("runs list --csv --columns 'metrics.*' --columns 'params.*' has a column per key", async () => {
      const r = await runOk(['runs', 'list', '-x', exp, '--csv', '--columns', 'metrics.*', '--columns', 'params.*,tags.team'], opts());
      const head = r.stdout.split('\n')[0]!.split(',');
      expect(head.slice(7)).toEqual(['metrics.acc', 'metrics.loss', 'params.depth', 'params.lr', 'tags.team']);
    });

    it('runs list --view all shows a lifecycle column in the table', async () => {
      const r = await runOk(['runs', 'list', '-x', exp, '--view', 'all'], opts());
      expect(r.stdout.split('\n')[0]).toContain('Lifecycle Stage');
      expect(r.stdout).toMatch(/deleted/);
      const active = await runOk(['runs', 'list', '-x', exp], opts());
      expect(active.stdout.split('\n')[0]).not.toContain('Lifecycle Stage');
    });

    it('runs list --json-lines prints one run per line, over pages', async () => {
      const r = await runOk(['runs', 'list', '-x', exp, '--json-lines', '--all', '--max-results', '1'], opts());
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.info.run_id).sort()).toEqual([runs[0], runs[1]].sort());
    });

    it("answers MLflow's command names and suggests the closest command", async () => {
      const viaAlias = await runJson(['experiments', 'search'], opts());
      expect(viaAlias.experiments.map((e: { name: string }) => e.name)).toContain('exp');
      const created = await runOk(['runs', 'create', '--experiment-id', exp, '--no-source-tags'], opts());
      expect(created.stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
      const typo = await runCli(['experimens', 'serch'], opts());
      expect(typo.code).toBe(2);
      expect(typo.stderr.trim()).toBe("Error: Unknown command: mlf experimens serch. Did you mean 'mlf experiments search'? See 'mlf --help'.");
    });
  });
}

describe.skipIf(await skipUnlessAvailable('postgresql'))('exports on PostgreSQL', () => {
  let db: TestDatabase;
  const opts = () => ({ env: { MLFLOW_TRACKING_URI: db.uri } });

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
  });
  afterAll(async () => db?.drop());

  it('experiments csv and runs list --columns wildcards read the same runs', async () => {
    const exp = (await runJson(['experiments', 'create', '-n', 'pg'], opts())).experiment_id;
    const a = (await runOk(['runs', 'log', '--experiment-id', exp, '--no-source-tags', '--param', 'lr=0.1', '--metric', 'loss=0.5'], opts())).stdout.trim();
    const b = (await runOk(['runs', 'log', '--experiment-id', exp, '--no-source-tags', '--metric', 'acc=0.75'], opts())).stdout.trim();
    const csv = (await runOk(['experiments', 'csv', '-x', exp], opts())).stdout.split('\n');
    const head = csv[0]!.split(',');
    expect(head.slice(6).sort()).toEqual(['metrics.acc', 'metrics.loss', 'params.lr', 'tags.mlflow.runName']);
    expect(csv.filter((l) => l.startsWith(a) || l.startsWith(b))).toHaveLength(2);
    const list = await runOk(['runs', 'list', '-x', exp, '--csv', '--columns', 'metrics.*'], opts());
    expect(list.stdout.split('\n')[0]!.split(',').slice(7)).toEqual(['metrics.acc', 'metrics.loss']);
  });
});

/**
 * `mlf experiments …` end to end on a temp file store and a temp SQLite database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, runCli, runJson, runOk } from './run-cli.js';
import { tempStore, type CliStoreKind, type TempStore } from './store-helpers.js';

beforeAll(() => {
  if (!cliBuilt()) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests');
});

for (const kind of ['file', 'sqlite'] as CliStoreKind[]) {
  describe(`mlf experiments on a ${kind} store`, () => {
    let s: TempStore;
    const opts = () => ({ env: { MLFLOW_TRACKING_URI: s.uri } });
    let id = '';

    beforeAll(() => {
      s = tempStore(kind);
    });
    afterAll(() => s.remove());

    it("creates an experiment with MLflow's message and --json gives experiments/get's shape", async () => {
      const r = await runOk(['experiments', 'create', '--experiment-name', 'alpha', '--tag', 'team=cv'], opts());
      const m = /^Created experiment 'alpha' with id (\S+)$/.exec(r.stdout.trim());
      expect(m).not.toBeNull();
      id = m![1]!;
      const e = await runJson(['experiments', 'describe', '-x', id], opts());
      expect(e).toMatchObject({ experiment_id: id, name: 'alpha', lifecycle_stage: 'active', tags: [{ key: 'team', value: 'cv' }] });
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['experiment_id', 'name', 'artifact_location', 'lifecycle_stage', 'creation_time']));
      const beta = await runJson(['experiments', 'create', '-n', 'beta', '-l', `${s.dir}/art`], opts());
      expect(beta.name).toBe('beta');
      expect(beta.artifact_location).toContain(`${s.dir}/art`);
    });

    it('refuses a duplicate name (exit 1) and an empty name (exit 2), one line each', async () => {
      const dup = await runCli(['experiments', 'create', '-n', 'alpha'], opts());
      expect(dup.code).toBe(1);
      expect(dup.stderr.trim().split('\n')).toHaveLength(1);
      expect(dup.stderr).toMatch(/already exists/);
      const empty = await runCli(['experiments', 'create', '-n', ''], opts());
      expect(empty.code).toBe(2);
      expect(empty.stderr.trim()).toBe("Error: Invalid experiment name: ''");
    });

    it('lists experiments as a table, CSV and JSON', async () => {
      const table = await runOk(['experiments', 'list', '--order-by', 'name ASC'], opts());
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^Experiment Id\s+Name\s+Artifact Location$/);
      expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[1])).toEqual(['Default', 'alpha', 'beta']);
      const csv = await runOk(['experiments', 'list', '--csv', '--filter', "name = 'alpha'"], opts());
      const [head, row] = csv.stdout.trim().split('\n');
      expect(head).toBe('experiment_id,name,artifact_location,lifecycle_stage,creation_time,last_update_time');
      expect(row!.split(',').slice(0, 2)).toEqual([id, 'alpha']);
      const json = await runJson(['experiments', 'list', '--max-results', '1', '--all'], opts());
      expect(json.experiments.map((e: { name: string }) => e.name).sort()).toEqual(['Default', 'alpha', 'beta']);
      const none = await runOk(['experiments', 'list', '--filter', "name = 'zzz'"], opts());
      expect(none.stdout.trim()).toBe('No experiments found.');
    });

    it("renames, deletes and restores with MLflow's messages", async () => {
      const renamed = await runOk(['experiments', 'rename', '-x', id, '--new-name', 'alpha2'], opts());
      expect(renamed.stdout.trim()).toBe(`Experiment with id ${id} has been renamed to 'alpha2'.`);
      const run = (await runOk(['runs', 'log', '--experiment-name', 'alpha2', '-p', 'a=1'], opts())).stdout.trim();
      const deleted = await runOk(['experiments', 'delete', id], opts());
      expect(deleted.stdout.trim()).toBe(`Experiment with ID ${id} has been deleted.`);
      expect((await runJson(['runs', 'describe', run], opts())).info.lifecycle_stage).toBe('deleted');
      const listed = await runJson(['experiments', 'list', '--view', 'deleted_only'], opts());
      expect(listed.experiments.map((e: { experiment_id: string }) => e.experiment_id)).toEqual([id]);
      const restored = await runJson(['experiments', 'restore', '-x', id], opts());
      expect(restored).toMatchObject({ experiment_id: id, name: 'alpha2', lifecycle_stage: 'active' });
      expect((await runJson(['runs', 'describe', run], opts())).info.lifecycle_stage).toBe('active');
    });

    it('describes by name, and reports a missing experiment with exit 1', async () => {
      const out = await runOk(['experiments', 'describe', '--experiment-name', 'beta'], opts());
      expect(out.stdout).toMatch(/^Experiment ID\s+\S+\nName\s+beta\n/);
      const missing = await runCli(['experiments', 'describe', '--experiment-name', 'nope'], opts());
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe("Error: Could not find experiment with name 'nope'");
      const noId = await runCli(['experiments', 'delete'], opts());
      expect(noId.code).toBe(2);
      expect(noId.stderr.trim()).toBe('Error: Missing required flag --experiment-id');
    });
  });
}

/**
 * `mlf models …` end to end with the built CLI, on SQLite, PostgreSQL and through a real
 * `mlf server` (the REST registry store): MLflow's registry semantics (version numbers never
 * reused, stages with archive_existing_versions, aliases, tags, rename, delete), its REST JSON
 * shapes under --json, its messages, and `models:/` URIs resolved by `artifacts download`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, runCli, runJson, runOk } from './run-cli.js';
import { startServer } from './server-proc.js';
import { createTestDatabase, skipUnlessAvailable, tempDir } from '../support/databases.js';

beforeAll(() => {
  if (!cliBuilt()) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests');
});

type Target = { name: string; skip: boolean; start(dir: string): Promise<{ uri: string; stop(): Promise<void> }> };

const TARGETS: Target[] = [
  { name: 'SQLite', skip: false, start: async (dir) => ({ uri: `sqlite:///${path.join(dir, 'mlflow.db')}`, stop: async () => undefined }) },
  {
    name: 'PostgreSQL',
    skip: await skipUnlessAvailable('postgresql'),
    start: async () => {
      const db = await createTestDatabase('postgresql');
      return { uri: db.uri, stop: () => db.drop() };
    },
  },
  {
    name: 'mlf server',
    skip: false,
    start: async (dir) => {
      const s = await startServer([
        '--backend-store-uri', `sqlite:///${path.join(dir, 'server.db')}`,
        '--serve-artifacts', '--artifacts-destination', path.join(dir, 'mlartifacts'),
      ]);
      return { uri: s.url, stop: s.stop };
    },
  },
];

for (const t of TARGETS) {
  describe.skipIf(t.skip)(`mlf models on ${t.name}`, () => {
    let dir: string;
    let uri: string;
    let stop: () => Promise<void>;
    let run = '';
    const opts = () => ({ env: { MLFLOW_TRACKING_URI: uri }, cwd: dir });
    const ok = async (args: string[]) => (await runOk(args, opts())).stdout.trim();
    const json = (args: string[]) => runJson(args, opts());

    beforeAll(async () => {
      dir = tempDir('mlf-models-cli-');
      ({ uri, stop } = await t.start(dir));
      run = await ok(['runs', 'log', '--no-source-tags']);
      fs.mkdirSync(path.join(dir, 'model'));
      fs.writeFileSync(path.join(dir, 'model', 'MLmodel'), 'artifact_path: model\n');
      await ok(['artifacts', 'log-artifacts', '-r', run, '-l', path.join(dir, 'model'), '-a', 'model']);
    }, 60_000);
    afterAll(async () => {
      await stop?.();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('creates a model and versions numbered 1, 2, …, in MLflow\'s REST shapes', async () => {
      expect(await ok(['models', 'create', 'churn', '--description', 'Churn', '--tag', 'team=cv'])).toBe("Created registered model 'churn'");
      const dup = await runCli(['models', 'create', 'churn'], opts());
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/^Error: Registered Model \(name=churn\) already exists\./);
      expect(dup.stderr.trim().split('\n')).toHaveLength(1);
      expect(await ok(['models', 'versions', 'create', 'churn', '--source', `runs:/${run}/model`, '--run-id', run])).toBe('1');
      const v2 = await json(['models', 'versions', 'create', 'churn', '--source', `runs:/${run}/model`, '--run-id', run, '--tag', 'k=v']);
      expect(v2.model_version).toMatchObject({ name: 'churn', version: '2', current_stage: 'None', status: 'READY', run_id: run, tags: [{ key: 'k', value: 'v' }] });
      expect(typeof v2.model_version.creation_timestamp).toBe('number');
      const m = await json(['models', 'describe', 'churn']);
      expect(m.registered_model).toMatchObject({ name: 'churn', description: 'Churn', tags: [{ key: 'team', value: 'cv' }] });
      expect(m.registered_model.latest_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
    });

    it('moves versions through stages, archiving the others when asked', async () => {
      const p1 = await json(['models', 'versions', 'transition-stage', 'churn', '1', '--stage', 'production']);
      expect(p1.model_version).toMatchObject({ version: '1', current_stage: 'Production' });
      await ok(['models', 'versions', 'transition-stage', 'churn', '2', '--stage', 'Production', '--archive-existing-versions']);
      const list = await json(['models', 'versions', 'list', 'churn', '--order-by', 'version_number ASC']);
      expect(list.model_versions.map((v: { version: string; current_stage: string }) => [v.version, v.current_stage])).toEqual([['1', 'Archived'], ['2', 'Production']]);
      const bad = await runCli(['models', 'versions', 'transition-stage', 'churn', '1', '--stage', 'Gold'], opts());
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('sets and moves aliases, refusing reserved ones', async () => {
      await ok(['models', 'alias', 'set', 'churn', 'champion', '1']);
      await ok(['models', 'alias', 'set', 'churn', 'champion', '2']);
      const v2 = await json(['models', 'versions', 'describe', 'churn', '2']);
      expect(v2.model_version.aliases).toEqual(['champion']);
      expect((await json(['models', 'describe', 'churn'])).registered_model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
      const reserved = await runCli(['models', 'alias', 'set', 'churn', 'latest', '1'], opts());
      expect(reserved.code).toBe(2);
      expect(reserved.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('downloads a version by models:/ URI (alias, number, stage), then deletes the alias', async () => {
      const local = await ok(['artifacts', 'download', '-u', 'models:/churn@champion', '-d', path.join(dir, 'serve')]);
      expect(local).toBe(path.join(dir, 'serve', 'model'));
      expect(fs.readFileSync(path.join(local, 'MLmodel'), 'utf8')).toBe('artifact_path: model\n');
      const byNumber = await ok(['artifacts', 'download', '-u', 'models:/churn/1', '-d', path.join(dir, 'serve'), '--overwrite']);
      expect(fs.readdirSync(byNumber)).toEqual(['MLmodel']);
      const byStage = await ok(['artifacts', 'download', '-u', 'models:/churn/Production', '-d', path.join(dir, 'staged')]);
      expect(fs.readdirSync(byStage)).toEqual(['MLmodel']);
      const noStage = await runCli(['artifacts', 'download', '-u', 'models:/churn/Staging', '-d', path.join(dir, 'staged2')], opts());
      expect(noStage.code).toBe(1);
      expect(noStage.stderr.trim()).toBe("Error: No versions of model with name 'churn' and stage 'Staging' found");
      expect(fs.existsSync(path.join(dir, 'staged2'))).toBe(false);

      await ok(['models', 'alias', 'delete', 'churn', 'champion']);
      expect((await json(['models', 'describe', 'churn'])).registered_model.aliases).toBeUndefined();
    });

    it('sets and deletes tags on models and versions', async () => {
      await ok(['models', 'tags', 'set', 'churn', 'owner=ana']);
      await ok(['models', 'tags', 'set', 'churn', 'validated=true', '--version', '1']);
      expect((await json(['models', 'describe', 'churn'])).registered_model.tags).toEqual([{ key: 'owner', value: 'ana' }, { key: 'team', value: 'cv' }]);
      expect((await json(['models', 'versions', 'list', '--filter', "tags.validated = 'true'"])).model_versions.map((v: { version: string }) => v.version)).toEqual(['1']);
      await ok(['models', 'tags', 'delete', 'churn', 'owner']);
      await ok(['models', 'tags', 'delete', 'churn', 'validated', '--version', '1']);
      expect((await json(['models', 'describe', 'churn'])).registered_model.tags).toEqual([{ key: 'team', value: 'cv' }]);
    });

    it('never reuses a deleted version\'s number; lists with the registry filter grammar', async () => {
      await ok(['models', 'versions', 'delete', 'churn', '2']);
      const gone = await runCli(['models', 'versions', 'describe', 'churn', '2'], opts());
      expect(gone.code).toBe(1);
      expect(gone.stderr.trim()).toBe('Error: Model Version (name=churn, version=2) not found');
      expect(await ok(['models', 'versions', 'create', 'churn', '--source', `runs:/${run}/model`])).toBe('3');
      await ok(['models', 'create', 'fraud']);
      const like = await json(['models', 'search', '--filter', "name LIKE 'ch%'"]);
      expect(like.registered_models.map((m: { name: string }) => m.name)).toEqual(['churn']);
      const table = await ok(['models', 'list']);
      expect(table.split('\n')[0]).toMatch(/^Name\s+Latest Versions\s+Aliases\s+Last Updated$/);
      expect(table).toMatch(/^fraud\b/m);
      const badFilter = await runCli(['models', 'list', '--filter', 'nme = 1'], opts());
      expect(badFilter.code).toBe(2);
      expect(badFilter.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('renames and deletes a model', async () => {
      await ok(['models', 'rename', 'churn', 'churn-v2']);
      expect((await json(['models', 'versions', 'list', 'churn-v2'])).model_versions.map((v: { version: string }) => v.version).sort()).toEqual(['1', '3']);
      expect(await ok(['models', 'delete', 'churn-v2'])).toBe("Deleted registered model 'churn-v2'");
      const r = await runCli(['models', 'describe', 'churn-v2'], opts());
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe('Error: Registered Model with name=churn-v2 not found');
    });
  });
}

describe('mlf models on a file store', () => {
  it('is refused with one line, exit 1', async () => {
    const dir = tempDir('mlf-models-file-');
    const r = await runCli(['models', 'list', '--tracking-uri', path.join(dir, 'mlruns')]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Model Registry is not supported on a file store: .*\n$/);
  });
});

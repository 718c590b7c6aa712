/**
 * The SQL registry store on SQLite, PostgreSQL and MariaDB: every operation and error, with
 * MLflow 2.17's semantics and messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openRegistryStore, SqlRegistryStore } from '../../src/stores/sql/registry/index.js';
import type { RegistryStore } from '../../src/stores/registry-store.js';
import { createTestDatabase, skipUnlessAvailable, testDialects, tempDir, type TestDatabase } from '../support/databases.js';
import { MlfError } from '../../src/lib/errors.js';

async function fails(p: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MlfError);
  expect((e as MlfError).errorCode).toBe(code);
  if (typeof message === 'string') expect((e as MlfError).message).toBe(message);
  else expect((e as MlfError).message).toMatch(message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const dialect of testDialects()) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`registry store on ${dialect}`, () => {
    let db: TestDatabase;
    let reg: RegistryStore;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      reg = await openRegistryStore(db.uri);
    });
    afterAll(async () => {
      await reg?.close();
      await db?.drop();
    });

    it('creates a registered model with tags (last duplicate key wins) and timestamps in ms', async () => {
      const before = Date.now();
      const m = await reg.createRegisteredModel({
        name: 'churn',
        description: 'd',
        tags: [
          { key: 'b', value: '1' },
          { key: 'a', value: 'x' },
          { key: 'b', value: '2' },
        ],
      });
      expect(m).toMatchObject({ name: 'churn', description: 'd', latestVersions: [], aliases: [] });
      expect(m.tags).toEqual([
        { key: 'a', value: 'x' },
        { key: 'b', value: '2' },
      ]);
      expect(m.creationTimestamp).toBeGreaterThanOrEqual(before);
      expect(m.lastUpdatedTimestamp).toBe(m.creationTimestamp);
      const got = await reg.getRegisteredModel('churn');
      expect(got).toEqual(m);
    });

    it('refuses a duplicate name with RESOURCE_ALREADY_EXISTS', async () => {
      await fails(reg.createRegisteredModel({ name: 'churn' }), 'RESOURCE_ALREADY_EXISTS', /^Registered Model \(name=churn\) already exists\. Error: /);
    });

    it('validates names and tags with MLflow messages', async () => {
      await fails(reg.createRegisteredModel({ name: '' }), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'.");
      await fails(
        reg.createRegisteredModel({ name: 'x', tags: [{ key: 'a', value: 'v'.repeat(5001) }] }),
        'INVALID_PARAMETER_VALUE',
        "'value' exceeds the maximum length of 5000 characters",
      );
      await fails(reg.createRegisteredModel({ name: 'x', tags: [{ key: '../a', value: 'v' }] }), 'INVALID_PARAMETER_VALUE', /^Invalid value "\.\.\/a" for parameter 'key' supplied: Names may be treated as files/);
      await fails(reg.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    });

    it('compares model names case-sensitively', async () => {
      await fails(reg.getRegisteredModel('CHURN'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=CHURN not found');
    });

    it('numbers versions per model from 1 and bumps the model last-updated time', async () => {
      await reg.createRegisteredModel({ name: 'other' });
      const before = (await reg.getRegisteredModel('churn')).lastUpdatedTimestamp!;
      await sleep(3);
      const v1 = await reg.createModelVersion({ name: 'churn', source: 's3://b/m1', runId: 'r1', tags: [{ key: 't', value: '1' }], runLink: 'l', description: 'first' });
      const v2 = await reg.createModelVersion({ name: 'churn', source: 's3://b/m2' });
      const o1 = await reg.createModelVersion({ name: 'other', source: 's3://b/o1' });
      expect([v1.version, v2.version, o1.version]).toEqual([1, 2, 1]);
      expect(v1).toMatchObject({
        name: 'churn',
        currentStage: 'None',
        status: 'READY',
        source: 's3://b/m1',
        runId: 'r1',
        runLink: 'l',
        description: 'first',
        userId: null,
        statusMessage: null,
        tags: [{ key: 't', value: '1' }],
        aliases: [],
      });
      expect((await reg.getRegisteredModel('churn')).lastUpdatedTimestamp!).toBeGreaterThan(before);
      await fails(reg.createModelVersion({ name: 'nope', source: 's' }), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    });

    it('gets a version (as text or number) and refuses a non-integer or missing one', async () => {
      expect((await reg.getModelVersion('churn', '2')).source).toBe('s3://b/m2');
      expect((await reg.getModelVersion('churn', 1)).tags).toEqual([{ key: 't', value: '1' }]);
      await fails(reg.getModelVersion('churn', 'abc'), 'INVALID_PARAMETER_VALUE', "Parameter 'version' must be an integer, got 'abc'.");
      await fails(reg.getModelVersion('churn', '9'), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=churn, version=9) not found');
    });

    it('updates descriptions of models and versions (null clears)', async () => {
      expect((await reg.updateRegisteredModel('churn', 'new')).description).toBe('new');
      expect((await reg.updateModelVersion('churn', 1, 'v-new')).description).toBe('v-new');
      expect((await reg.updateModelVersion('churn', 1, null)).description).toBeNull();
      await fails(reg.updateModelVersion('churn', 7, 'x'), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=churn, version=7) not found');
    });

    it('transitions stages (any case) and archives existing versions on request', async () => {
      const v3 = await reg.createModelVersion({ name: 'churn', source: 's3://b/m3' });
      expect((await reg.transitionModelVersionStage('churn', 1, 'production', false)).currentStage).toBe('Production');
      const t = await reg.transitionModelVersionStage('churn', v3.version, 'Production', true);
      expect(t.currentStage).toBe('Production');
      expect((await reg.getModelVersion('churn', 1)).currentStage).toBe('Archived');
      expect((await reg.transitionModelVersionStage('churn', 2, 'STAGING', false)).currentStage).toBe('Staging');
      await fails(
        reg.transitionModelVersionStage('churn', 2, 'bogus', false),
        'INVALID_PARAMETER_VALUE',
        'Invalid Model Version stage: bogus. Value must be one of None, Staging, Production, Archived.',
      );
      await fails(
        reg.transitionModelVersionStage('churn', 2, 'archived', true),
        'INTERNAL_ERROR',
        "Model version transition cannot archive existing model versions because 'archived' is not an Active stage. Valid stages are ['Staging', 'Production']",
      );
    });

    it('gives the latest version per stage, all stages or the asked ones', async () => {
      const all = await reg.getLatestVersions('churn');
      expect(all.map((v) => [v.currentStage, v.version])).toEqual([
        ['Archived', 1],
        ['Staging', 2],
        ['Production', 3],
      ]);
      expect((await reg.getLatestVersions('churn', ['production'])).map((v) => v.version)).toEqual([3]);
      expect((await reg.getRegisteredModel('churn')).latestVersions.map((v) => v.version)).toEqual([1, 2, 3]);
      await fails(reg.getLatestVersions('churn', ['x']), 'INVALID_PARAMETER_VALUE', 'Invalid Model Version stage: x. Value must be one of None, Staging, Production, Archived.');
      await fails(reg.getLatestVersions('nope'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    });

    it('sets, overwrites and deletes tags on models and versions', async () => {
      await reg.setRegisteredModelTag('churn', { key: 'k', value: '1' });
      await reg.setRegisteredModelTag('churn', { key: 'k', value: '2' });
      expect((await reg.getRegisteredModel('churn')).tags).toContainEqual({ key: 'k', value: '2' });
      await reg.deleteRegisteredModelTag('churn', 'k');
      await reg.deleteRegisteredModelTag('churn', 'k');
      expect((await reg.getRegisteredModel('churn')).tags.find((t) => t.key === 'k')).toBeUndefined();
      await reg.setModelVersionTag('churn', '2', { key: 'mk', value: 'a' });
      await reg.setModelVersionTag('churn', '2', { key: 'mk', value: 'b' });
      expect((await reg.getModelVersion('churn', 2)).tags).toEqual([{ key: 'mk', value: 'b' }]);
      await reg.deleteModelVersionTag('churn', '2', 'mk');
      expect((await reg.getModelVersion('churn', 2)).tags).toEqual([]);
      await fails(reg.setRegisteredModelTag('nope', { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
      await fails(reg.setModelVersionTag('churn', 42, { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=churn, version=42) not found');
      await fails(reg.deleteModelVersionTag('churn', 'x', 'k'), 'INVALID_PARAMETER_VALUE', "Parameter 'version' must be an integer, got 'x'.");
    });

    it('sets, moves, reads and deletes aliases, refusing reserved names', async () => {
      await reg.setRegisteredModelAlias('churn', 'champion', 2);
      expect((await reg.getModelVersionByAlias('churn', 'champion')).version).toBe(2);
      expect((await reg.getModelVersion('churn', 2)).aliases).toEqual(['champion']);
      await reg.setRegisteredModelAlias('churn', 'champion', '3');
      await reg.setRegisteredModelAlias('churn', 'backup', '3');
      const v3 = await reg.getModelVersion('churn', 3);
      expect(v3.aliases).toEqual(['backup', 'champion']);
      expect((await reg.getRegisteredModel('churn')).aliases).toEqual([
        { alias: 'backup', version: 3 },
        { alias: 'champion', version: 3 },
      ]);
      expect((await reg.getLatestVersions('churn', ['Production']))[0]!.aliases).toEqual(['backup', 'champion']);
      await reg.deleteRegisteredModelAlias('churn', 'backup');
      await reg.deleteRegisteredModelAlias('churn', 'backup');
      await fails(reg.getModelVersionByAlias('churn', 'backup'), 'INVALID_PARAMETER_VALUE', 'Registered model alias backup not found.');
      await fails(reg.setRegisteredModelAlias('churn', 'Latest', 1), 'INVALID_PARAMETER_VALUE', "'latest' alias name (case insensitive) is reserved.");
      await fails(reg.setRegisteredModelAlias('churn', 'v12', 1), 'INVALID_PARAMETER_VALUE', "Version alias name 'v12' is reserved.");
      await fails(reg.setRegisteredModelAlias('churn', 'a b', 1), 'INVALID_PARAMETER_VALUE', "Invalid alias name: 'a b'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
      await fails(reg.setRegisteredModelAlias('churn', '', 1), 'INVALID_PARAMETER_VALUE', 'Registered model alias name cannot be empty.');
      await fails(reg.setRegisteredModelAlias('churn', 'ok', 99), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=churn, version=99) not found');
    });

    it('resolves the download URI and a models:/ source to the storage location', async () => {
      expect(await reg.getModelVersionDownloadUri('churn', 2)).toBe('s3://b/m2');
      const copy = await reg.createModelVersion({ name: 'other', source: 'models:/churn/2' });
      expect(copy.source).toBe('models:/churn/2');
      expect(await reg.getModelVersionDownloadUri('other', copy.version)).toBe('s3://b/m2');
      const byAlias = await reg.createModelVersion({ name: 'other', source: 'models:/churn@champion' });
      expect(await reg.getModelVersionDownloadUri('other', byAlias.version)).toBe('s3://b/m3');
      await fails(reg.createModelVersion({ name: 'other', source: 'models:/churn/77' }), 'INTERNAL_ERROR', /^Unable to fetch model from model URI source artifact location 'models:\/churn\/77'\.Error: Model Version \(name=churn, version=77\) not found$/);
    });

    it('soft-deletes a version: invisible, redacted, aliases gone, number never reused', async () => {
      await reg.setRegisteredModelAlias('churn', 'gone', 2);
      await reg.setModelVersionTag('churn', 2, { key: 'kept', value: 'yes' });
      await reg.deleteModelVersion('churn', 2);
      await fails(reg.getModelVersion('churn', 2), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=churn, version=2) not found');
      await fails(reg.deleteModelVersion('churn', 2), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=churn, version=2) not found');
      await fails(reg.getModelVersionByAlias('churn', 'gone'), 'INVALID_PARAMETER_VALUE', 'Registered model alias gone not found.');
      expect((await reg.getLatestVersions('churn')).map((v) => v.version)).not.toContain(2);
      const raw = await (reg as SqlRegistryStore)['conn'].db
        .selectFrom('model_versions')
        .selectAll()
        .where('name', '=', 'churn')
        .where('version', '=', 2)
        .executeTakeFirstOrThrow();
      expect(raw).toMatchObject({
        current_stage: 'Deleted_Internal',
        source: 'REDACTED-SOURCE-PATH',
        run_id: 'REDACTED-RUN-ID',
        run_link: 'REDACTED-RUN-LINK',
        description: null,
        user_id: null,
      });
      const tags = await (reg as SqlRegistryStore)['conn'].db.selectFrom('model_version_tags').select('key').where('name', '=', 'churn').where('version', '=', 2).execute();
      expect(tags.map((t) => t.key)).toEqual(['kept']);
      const v4 = await reg.createModelVersion({ name: 'churn', source: 's3://b/m4' });
      expect(v4.version).toBe(4);
    });

    it('searches registered models by name (=, !=, LIKE, ILIKE) and tags, ordered and paged', async () => {
      await reg.createRegisteredModel({ name: 'Churn-EU', tags: [{ key: 'team', value: 'Risk' }] });
      await sleep(3);
      await reg.createRegisteredModel({ name: 'fraud', tags: [{ key: 'team', value: 'risk' }, { key: 'tier', value: '1' }] });
      const names = async (filter?: string, orderBy?: string[]) => (await reg.searchRegisteredModels({ filter, orderBy })).items.map((m) => m.name);
      // Upper before lower case, or not, is the database's collation (as in MLflow).
      const all = await names();
      expect([...all].sort()).toEqual(['Churn-EU', 'churn', 'fraud', 'other']);
      expect(all.slice(2)).toEqual(['fraud', 'other']);
      expect(await names("name = 'churn'")).toEqual(['churn']);
      expect(await names("name != 'churn'")).toEqual(all.filter((n) => n !== 'churn'));
      expect(await names("name LIKE 'churn%'")).toEqual(['churn']);
      expect(await names("name ILIKE 'churn%'")).toEqual(all.slice(0, 2));
      expect(await names("tags.team = 'risk'")).toEqual(['fraud']);
      expect(await names("tags.team ILIKE 'RISK' and tags.tier = '1'")).toEqual(['fraud']);
      expect(await names("tags.`team` LIKE 'R%'")).toEqual(['Churn-EU']);
      expect(await names(undefined, ['name DESC'])).toEqual([...all].reverse());
      const byTime = await names(undefined, ['last_updated_timestamp DESC']);
      expect(byTime[0]).toBe('fraud');
      const p1 = await reg.searchRegisteredModels({ maxResults: 3 });
      expect(p1.items).toHaveLength(3);
      expect(p1.nextPageToken).toBe(Buffer.from('{"offset": 3}').toString('base64'));
      const p2 = await reg.searchRegisteredModels({ maxResults: 3, pageToken: p1.nextPageToken });
      expect([...p1.items, ...p2.items].map((m) => m.name)).toEqual(all);
      expect(p2.nextPageToken).toBeUndefined();
      const churn = (await reg.searchRegisteredModels({ filter: "name = 'churn'" })).items[0]!;
      expect(churn.latestVersions.map((v) => v.version).sort()).toEqual([1, 3, 4]);
      expect(churn.aliases).toEqual([{ alias: 'champion', version: 3 }]);
    });

    it('refuses bad registered model searches with MLflow messages', async () => {
      await fails(reg.searchRegisteredModels({ maxResults: 1001 }), 'INVALID_PARAMETER_VALUE', 'Invalid value for request parameter max_results. It must be at most 1000, but got value 1001');
      await fails(reg.searchRegisteredModels({ filter: "run_id = 'a'" }), 'INVALID_PARAMETER_VALUE', "Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'");
      await fails(reg.searchRegisteredModels({ filter: "name > 'a'" }), 'INVALID_PARAMETER_VALUE', 'Invalid comparator for attribute: >');
      await fails(reg.searchRegisteredModels({ filter: "tags.a IN ('x')" }), 'INVALID_PARAMETER_VALUE', "Expected a quoted string value for tag (e.g. 'my-value'). Got value ('x')");
      await fails(reg.searchRegisteredModels({ filter: "name IN ('x')" }), 'INVALID_PARAMETER_VALUE', "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
      await fails(reg.searchRegisteredModels({ filter: 'name = churn' }), 'INVALID_PARAMETER_VALUE', 'Parameter value is either not quoted or unidentified quote types used for string value churn. Use either single or double quotes.');
      await fails(reg.searchRegisteredModels({ filter: "params.a = 'x'" }), 'INVALID_PARAMETER_VALUE', "Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')");
      await fails(reg.searchRegisteredModels({ filter: "name = 'a' or name = 'b'" }), 'INVALID_PARAMETER_VALUE', /^Invalid clause\(s\) in filter string: or/);
      await fails(reg.searchRegisteredModels({ orderBy: ['creation_timestamp'] }), 'INVALID_PARAMETER_VALUE', "Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'");
      await fails(reg.searchRegisteredModels({ orderBy: ['timestamp', 'last_updated_timestamp'] }), 'INTERNAL_ERROR', "`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp']");
      await fails(reg.searchRegisteredModels({ pageToken: 'x' }), 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
    });

    it('searches model versions by name, run_id (incl. IN), source_path, version_number and tags', async () => {
      await reg.createModelVersion({ name: 'fraud', source: 'runs:/abc/model', runId: 'abc', tags: [{ key: 'env', value: 'prod' }] });
      await reg.createModelVersion({ name: 'fraud', source: 'runs:/def/model', runId: 'def' });
      const ids = async (filter?: string, orderBy?: string[]) =>
        (await reg.searchModelVersions({ filter, orderBy })).items.map((v) => `${v.name}/${v.version}`);
      expect(await ids("name = 'fraud'", ['version_number ASC'])).toEqual(['fraud/1', 'fraud/2']);
      expect(await ids("run_id = 'abc'")).toEqual(['fraud/1']);
      expect(await ids("run_id IN ('abc', 'def')", ['version_number DESC'])).toEqual(['fraud/2', 'fraud/1']);
      expect(await ids("source_path LIKE 'runs:/d%'")).toEqual(['fraud/2']);
      expect(await ids("name = 'churn' and version_number >= 3", ['version_number'])).toEqual(['churn/3', 'churn/4']);
      expect(await ids("tags.env = 'prod'")).toEqual(['fraud/1']);
      expect(await ids("name = 'churn'", ['name', 'version_number'])).toEqual(['churn/1', 'churn/3', 'churn/4']);
      // Deleted versions never show, and the default order is newest first.
      const all = await reg.searchModelVersions({});
      expect(all.items.some((v) => v.name === 'churn' && v.version === 2)).toBe(false);
      expect(all.items[0]!.name).toBe('fraud');
      expect(all.items[0]!.tags).toEqual([]);
      expect(all.items.every((v) => v.aliases.length === 0)).toBe(true);
      const p1 = await reg.searchModelVersions({ filter: "name = 'churn'", maxResults: 2, orderBy: ['version_number'] });
      expect(p1.items.map((v) => v.version)).toEqual([1, 3]);
      const p2 = await reg.searchModelVersions({ filter: "name = 'churn'", maxResults: 2, orderBy: ['version_number'], pageToken: p1.nextPageToken });
      expect(p2.items.map((v) => v.version)).toEqual([4]);
      expect(p2.nextPageToken).toBeUndefined();
    });

    it('refuses bad model version searches with MLflow messages', async () => {
      await fails(reg.searchModelVersions({ maxResults: 0 }), 'INVALID_PARAMETER_VALUE', 'Invalid value for max_results. It must be a positive integer, but got 0');
      await fails(reg.searchModelVersions({ maxResults: 200001 }), 'INVALID_PARAMETER_VALUE', 'Invalid value for request parameter max_results. It must be at most 200000, but got value 200001');
      await fails(reg.searchModelVersions({ filter: "name IN ('a')" }), 'INVALID_PARAMETER_VALUE', "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
      await fails(reg.searchModelVersions({ filter: 'version_number LIKE 1' }), 'INVALID_PARAMETER_VALUE', 'Invalid comparator for attribute version_number: LIKE');
      await fails(reg.searchModelVersions({ filter: "run_id > 'a'" }), 'INVALID_PARAMETER_VALUE', 'Invalid comparator for attribute: >');
      await fails(reg.searchModelVersions({ filter: "tags.a > 'x'" }), 'INVALID_PARAMETER_VALUE', 'Invalid comparator for tag: >');
      await fails(reg.searchModelVersions({ filter: 'name = 1' }), 'INVALID_PARAMETER_VALUE', /^Only the '\{'version_number', 'creation_timestamp', 'last_updated_timestamp'\}' attributes support comparison with numeric values\.$/);
      await fails(reg.searchModelVersions({ filter: "stage = 'x'" }), 'INVALID_PARAMETER_VALUE', /^Invalid attribute key 'stage' specified\. Valid keys are /);
      await fails(reg.searchModelVersions({ orderBy: ['run_id'] }), 'INVALID_PARAMETER_VALUE', /^Invalid attribute key 'run_id' specified\. Valid keys are /);
    });

    it('renames a model with its versions, tags and aliases, and refuses a taken name', async () => {
      const before = await reg.getModelVersion('churn', 3);
      await sleep(3);
      const r = await reg.renameRegisteredModel('churn', 'churn2');
      expect(r.name).toBe('churn2');
      expect(r.aliases).toEqual([{ alias: 'champion', version: 3 }]);
      const v3 = await reg.getModelVersion('churn2', 3);
      expect(v3.aliases).toEqual(['champion']);
      expect(v3.lastUpdatedTimestamp!).toBeGreaterThan(before.lastUpdatedTimestamp!);
      expect((await reg.getModelVersionByAlias('churn2', 'champion')).version).toBe(3);
      await fails(reg.getRegisteredModel('churn'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=churn not found');
      await fails(reg.renameRegisteredModel('churn2', 'fraud'), 'RESOURCE_ALREADY_EXISTS', /^Registered Model \(name=fraud\) already exists\. Error: /);
      await fails(reg.renameRegisteredModel('churn2', ''), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'new_name'.");
      // A new version after the rename continues the numbering (the deleted version 2 moved too).
      expect((await reg.createModelVersion({ name: 'churn2', source: 's3://b/m5' })).version).toBe(5);
    });

    it('deletes a model with everything under it, deleted versions included', async () => {
      await reg.deleteRegisteredModel('churn2');
      await fails(reg.getRegisteredModel('churn2'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=churn2 not found');
      const db0 = (reg as SqlRegistryStore)['conn'].db;
      for (const table of ['model_versions', 'model_version_tags', 'registered_model_tags', 'registered_model_aliases']) {
        const rows = await db0.selectFrom(table).select(sql`1`.as('x')).where('name', '=', 'churn2').execute();
        expect(rows, table).toHaveLength(0);
      }
      await fails(reg.deleteRegisteredModel('churn2'), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=churn2 not found');
      // The name is free again, and versions start over.
      await reg.createRegisteredModel({ name: 'churn2' });
      expect((await reg.createModelVersion({ name: 'churn2', source: 's' })).version).toBe(1);
    });

    it('numbers concurrent new versions without gaps or clashes', async () => {
      await reg.createRegisteredModel({ name: 'race' });
      const vs = await Promise.all([1, 2, 3].map((i) => reg.createModelVersion({ name: 'race', source: `s3://r/${i}` })));
      expect(vs.map((v) => v.version).sort()).toEqual([1, 2, 3]);
    });
  });
}

describe('opening a registry store', () => {
  it('refuses a file store with FEATURE_DISABLED', async () => {
    await fails(openRegistryStore(tempDir()), 'FEATURE_DISABLED', /^Model Registry is not supported on a file store: it needs a database-backed store/);
    await fails(openRegistryStore('file:///tmp/mlruns'), 'FEATURE_DISABLED', /^Model Registry is not supported on a file store/);
  });
});

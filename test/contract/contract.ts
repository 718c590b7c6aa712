/**
 * The store contract suite: one set of behaviours every `TrackingStore` must show, whatever it keeps
 * its data in. MLflow's file and SQL stores drift apart in a dozen places; mlf's must not.
 *
 * Where MLflow's two stores disagree, the suite asserts the behaviour the reference
 * (shared/reference/mlflow-backend-store.md) documents, usually the SQL store's; each such choice is
 * marked `DRIFT:` below.
 *
 * Setup is cheap on purpose: one store per suite (one database on PostgreSQL/MariaDB), a fresh
 * experiment with a unique name per test, and read-only fixtures shared inside a `describe`.
 *
 * @example
 * defineContractSuite('sqlite', async () => {
 *   const db = await createTestDatabase('sqlite');
 *   const store = await openTrackingStore(db.uri);
 *   return { store, cleanup: async () => { await store.close(); await db.drop(); } };
 * });
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/lib/errors.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import type { DatasetInput, Metric, Run, RunTag } from '../../src/tracking/entities.js';

/**
 * A store under test; `experimentTagValueLimit` is the schema's limit where it is not MLflow 2.17's
 * 5,000 (a database at 17e22815139b or later takes 20,000).
 */
export type OpenStore = () => Promise<{ store: TrackingStore; cleanup: () => Promise<void>; experimentTagValueLimit?: number }>;

const RUN_NAME_TAG = 'mlflow.runName';
const LOG_MODEL_HISTORY = 'mlflow.log-model.history';
const BASE_TIME = 1_700_000_000_000;

/** A RegExp matching exactly `s`, the whole message (MLflow's messages are full of dots, quotes and brackets). */
function lit(s: string): RegExp {
  return new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** MLflow's RESOURCE_DOES_NOT_EXIST for a run. */
const runNotFound = (runId: string) => `Run with id=${runId} not found`;

/** MLflow's `bad_path_message` inside `invalid_value`, for a key that is not a safe file name. */
const notAFileName = (path: string, key: string, resolved: string) =>
  `Invalid value "${key}" for parameter '${path}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${resolved}'`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Awaits `p`, expects it to fail with MLflow error code `code` and exactly `message` (a string, or
 * `lit(...)`); `undefined` only where the message legitimately differs by store (see `storeMessage`).
 */
async function expectError(p: Promise<unknown>, code: ErrorCode, message: RegExp | string | undefined): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected an error with code ${code}, but the call succeeded`).toBeInstanceOf(Error);
  expect({ errorCode: (err as { errorCode?: string }).errorCode, message: (err as Error).message }).toMatchObject({
    errorCode: code,
  });
  if (message !== undefined) expect((err as Error).message).toMatch(typeof message === 'string' ? lit(message) : message);
  return err as Error;
}

function kv(run: Run, kind: 'params' | 'tags'): Record<string, string> {
  return Object.fromEntries(run.data[kind].map((p) => [p.key, p.value]));
}

function userTags(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.tags.filter((t) => !t.key.startsWith('mlflow.')).map((t) => [t.key, t.value]));
}

function latest(run: Run, key: string): Metric | undefined {
  return run.data.metrics.find((m) => m.key === key);
}

export function defineContractSuite(label: string, open: OpenStore): void {
  describe(`TrackingStore contract: ${label}`, () => {
    let store!: TrackingStore;
    let cleanup: (() => Promise<void>) | undefined;
    let tagLimit = 5000;
    // Unique per suite run, so names never collide with another run of the suite on a shared server.
    const prefix = `ct-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
    let counter = 0;
    const uniq = (what = 'e') => `${prefix}-${what}-${++counter}`;

    beforeAll(async () => {
      // Param/tag truncation is MLflow's default (MLFLOW_TRUNCATE_LONG_VALUES unset = true).
      delete process.env.MLFLOW_TRUNCATE_LONG_VALUES;
      let limit: number | undefined;
      ({ store, cleanup, experimentTagValueLimit: limit } = await open());
      tagLimit = limit ?? 5000;
    });
    afterAll(async () => {
      await cleanup?.();
    });

    // Over HTTP, MLflow's REST API has no deleted_time, and a few messages come from the server's
    // request checks (MLflow's server words them the same way) rather than from the store.
    const overHttp = () => store.kind === 'rest';
    const storeMessage = (m: RegExp) => (overHttp() ? undefined : m);

    const newExperiment = async (name = uniq()) => store.createExperiment({ name });
    const newRun = async (experimentId?: string, opts: { runName?: string; startTime?: number; tags?: RunTag[]; userId?: string } = {}) =>
      store.createRun({ experimentId: experimentId ?? (await newExperiment()), startTime: opts.startTime ?? BASE_TIME, ...opts });
    const runNames = (runs: Run[]) => runs.map((r) => r.info.runName);

    // ------------------------------------------------------------------ experiments
    describe('experiments', () => {
      it('has the default experiment "0" named "Default"', async () => {
        const exp = await store.getExperiment('0');
        expect(exp.experimentId).toBe('0');
        expect(exp.name).toBe('Default');
        expect(exp.lifecycleStage).toBe('active');
        const byName = await store.getExperimentByName('Default');
        expect(byName?.experimentId).toBe('0');
      });

      // DRIFT: MLflow's SQL store lets the Default experiment be deleted, its file store does not;
      // every mlf store refuses, so clients always have somewhere to log.
      it('refuses to delete the default experiment and leaves it active', async () => {
        await expectError(store.deleteExperiment('0'), 'INVALID_PARAMETER_VALUE', "Cannot delete the default experiment '0'. This is an internally reserved experiment.");
        expect((await store.getExperiment('0')).lifecycleStage).toBe('active');
      });

      it('creates an experiment and reads it back by id and by name', async () => {
        const name = uniq();
        const before = Date.now();
        const id = await store.createExperiment({ name, tags: [{ key: 'team', value: 'vision' }] });
        const after = Date.now();
        expect(typeof id).toBe('string');
        expect(id).toMatch(/^\d+$/);
        const exp = await store.getExperiment(id);
        expect(exp).toMatchObject({ experimentId: id, name, lifecycleStage: 'active', tags: [{ key: 'team', value: 'vision' }] });
        // Default artifact location: <artifact root>/<experiment id>.
        expect(exp.artifactLocation.endsWith(`/${id}`)).toBe(true);
        expect(exp.creationTime).toBeGreaterThanOrEqual(before);
        expect(exp.creationTime).toBeLessThanOrEqual(after);
        expect(exp.lastUpdateTime).toBeGreaterThanOrEqual(before);
        const byName = await store.getExperimentByName(name);
        expect(byName).toEqual(exp);
      });

      it('keeps a given non-local artifact location as it is', async () => {
        const id = await store.createExperiment({ name: uniq(), artifactLocation: 's3://bucket/some/place' });
        expect((await store.getExperiment(id)).artifactLocation).toBe('s3://bucket/some/place');
        const run = await newRun(id);
        expect(run.info.artifactUri).toBe(`s3://bucket/some/place/${run.info.runId}/artifacts`);
      });

      it('returns null from getExperimentByName for a missing name', async () => {
        expect(await store.getExperimentByName(uniq('missing'))).toBeNull();
      });

      it('refuses a missing experiment id with RESOURCE_DOES_NOT_EXIST', async () => {
        // DRIFT: MLflow's file store says "Could not find experiment with ID ..."; the SQL wording is used.
        await expectError(store.getExperiment('987654321'), 'RESOURCE_DOES_NOT_EXIST', lit('No Experiment with id=987654321 exists'));
      });

      it('refuses a duplicate experiment name with RESOURCE_ALREADY_EXISTS', async () => {
        const name = uniq();
        await store.createExperiment({ name });
        await expectError(store.createExperiment({ name }), 'RESOURCE_ALREADY_EXISTS', lit(`Experiment(name=${name}) already exists.`));
      });

      it('refuses the name of a deleted experiment with RESOURCE_ALREADY_EXISTS', async () => {
        const name = uniq();
        const id = await store.createExperiment({ name });
        await store.deleteExperiment(id);
        // DRIFT: MLflow's file store words a deleted experiment's name apart; one wording is used.
        await expectError(store.createExperiment({ name }), 'RESOURCE_ALREADY_EXISTS', lit(`Experiment(name=${name}) already exists.`));
      });

      it('refuses an empty experiment name with INVALID_PARAMETER_VALUE', async () => {
        await expectError(store.createExperiment({ name: '' }), 'INVALID_PARAMETER_VALUE', storeMessage(lit("Invalid experiment name: ''")));
      });

      it('refuses an experiment name longer than 500 characters with INVALID_PARAMETER_VALUE', async () => {
        await expectError(
          store.createExperiment({ name: 'x'.repeat(501) }),
          'INVALID_PARAMETER_VALUE',
          lit("'name' exceeds the maximum length of 500 characters"),
        );
      });

      it('renames an experiment and frees the old name', async () => {
        const oldName = uniq();
        const id = await store.createExperiment({ name: oldName });
        const created = await store.getExperiment(id);
        const newName = uniq('renamed');
        await store.renameExperiment(id, newName);
        const exp = await store.getExperiment(id);
        expect(exp.name).toBe(newName);
        expect(exp.lastUpdateTime).toBeGreaterThanOrEqual(created.lastUpdateTime ?? 0);
        expect(await store.getExperimentByName(oldName)).toBeNull();
        expect((await store.getExperimentByName(newName))?.experimentId).toBe(id);
      });

      it('refuses renaming an experiment to a taken name with RESOURCE_ALREADY_EXISTS', async () => {
        // DRIFT: MLflow's SQL store lets the unique constraint fail (BAD_REQUEST, derived); its file
        // store checks first (RESOURCE_ALREADY_EXISTS). mlf answers like create_experiment does.
        const taken = uniq();
        await store.createExperiment({ name: taken });
        const id = await newExperiment();
        await expectError(store.renameExperiment(id, taken), 'RESOURCE_ALREADY_EXISTS', lit(`Experiment(name=${taken}) already exists.`));
      });

      it('refuses renaming a deleted experiment with INVALID_STATE', async () => {
        const id = await newExperiment();
        await store.deleteExperiment(id);
        await expectError(store.renameExperiment(id, uniq()), 'INVALID_STATE', lit('Cannot rename a non-active experiment.'));
      });

      it('deletes and restores an experiment, which stays readable by id and name while deleted', async () => {
        const name = uniq();
        const id = await store.createExperiment({ name });
        const before = Date.now();
        await store.deleteExperiment(id);
        const deleted = await store.getExperiment(id);
        expect(deleted.lifecycleStage).toBe('deleted');
        expect(deleted.lastUpdateTime).toBeGreaterThanOrEqual(before);
        expect((await store.getExperimentByName(name))?.lifecycleStage).toBe('deleted');
        await store.restoreExperiment(id);
        const exp = await store.getExperiment(id);
        expect(exp.lifecycleStage).toBe('active');
        expect(exp.name).toBe(name);
      });

      it('keeps names with quotes, spaces and non-ASCII letters', async () => {
        const name = `${uniq()} O'Brien "x" ünï 中文 😀`;
        const id = await store.createExperiment({ name });
        expect((await store.getExperiment(id)).name).toBe(name);
        expect((await store.getExperimentByName(name))?.experimentId).toBe(id);
      });

      it('refuses deleting an already deleted experiment and restoring an active one with RESOURCE_DOES_NOT_EXIST', async () => {
        // MLflow's SQL store looks the experiment up among active (delete) or deleted (restore) ones only.
        const id = await newExperiment();
        await expectError(store.restoreExperiment(id), 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`);
        await store.deleteExperiment(id);
        await expectError(store.deleteExperiment(id), 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`);
        await expectError(store.deleteExperiment('987654323'), 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=987654323 exists');
        expect((await store.getExperiment(id)).lifecycleStage).toBe('deleted');
      });

      it('refuses setting a tag on a deleted experiment', async () => {
        const id = await newExperiment();
        await store.deleteExperiment(id);
        await expectError(
          store.setExperimentTag(id, { key: 'a', value: '1' }),
          'INVALID_PARAMETER_VALUE',
          lit(`The experiment ${id} must be in the 'active' state. Current state is deleted.`),
        );
      });

      it("refuses experiment tags over 250 (key) or the schema's value limit instead of truncating", async () => {
        // DRIFT: MLflow's file store checks only the key's characters; its SQL store refuses both limits.
        const id = await newExperiment();
        await expectError(store.setExperimentTag(id, { key: 'k'.repeat(251), value: '1' }), 'INVALID_PARAMETER_VALUE', "'key' exceeds the maximum length of 250 characters");
        await expectError(
          store.setExperimentTag(id, { key: 'k', value: 'v'.repeat(tagLimit + 1) }),
          'INVALID_PARAMETER_VALUE',
          lit(`'value' exceeds the maximum length of ${tagLimit} characters`),
        );
        await store.setExperimentTag(id, { key: 'k'.repeat(250), value: 'v'.repeat(tagLimit) });
        expect((await store.getExperiment(id)).tags).toEqual([{ key: 'k'.repeat(250), value: 'v'.repeat(tagLimit) }]);
      });

      it('sets, overwrites and deletes experiment tags', async () => {
        const id = await newExperiment();
        await store.setExperimentTag(id, { key: 'b', value: 'x' });
        await store.setExperimentTag(id, { key: 'a', value: '1' });
        await store.setExperimentTag(id, { key: 'a', value: '2' });
        expect((await store.getExperiment(id)).tags).toEqual([
          { key: 'a', value: '2' },
          { key: 'b', value: 'x' },
        ]);
        await store.deleteExperimentTag(id, 'a');
        expect((await store.getExperiment(id)).tags).toEqual([{ key: 'b', value: 'x' }]);
      });
    });

    // ------------------------------------------------------------------ search experiments
    describe('searchExperiments', () => {
      // Read-only fixture: four experiments created a few ms apart (distinct creation times).
      const p = () => `${prefix}-se`;
      const ids: Record<string, string> = {};
      const creation: Record<string, number> = {};
      beforeAll(async () => {
        for (const [n, tags] of [
          ['alpha', [{ key: 'team', value: 'vision' }]],
          ['Beta', [{ key: 'team', value: 'nlp' }]],
          ['gamma', [{ key: 'team', value: 'vision' }, { key: 'owner', value: 'ann' }]],
          ['delta', []],
        ] as const) {
          ids[n] = await store.createExperiment({ name: `${p()}-${n}`, tags: [...tags] });
          creation[n] = (await store.getExperiment(ids[n]!)).creationTime!;
          await sleep(3);
        }
        await store.deleteExperiment(ids.delta!);
      });
      const names = (exps: { name: string }[]) => exps.map((e) => e.name.slice(p().length + 1));
      const search = async (filter: string, extra: Parameters<TrackingStore['searchExperiments']>[0] = {}) =>
        names((await store.searchExperiments({ filter: `name LIKE '${p()}-%'${filter ? ` AND ${filter}` : ''}`, ...extra })).items);

      it('orders by creation_time DESC by default', async () => {
        expect(await search('')).toEqual(['gamma', 'Beta', 'alpha']);
      });

      it('filters on name with =, LIKE (case-sensitive) and ILIKE', async () => {
        expect(await search(`name = '${p()}-alpha'`)).toEqual(['alpha']);
        expect(await search(`name = '${p()}-beta'`)).toEqual([]);
        expect(await search(`name LIKE '%-se-b%'`)).toEqual([]);
        expect(await search(`name ILIKE '%-se-b%'`)).toEqual(['Beta']);
        expect(await search(`name != '${p()}-alpha'`)).toEqual(['gamma', 'Beta']);
      });

      it('filters on tags', async () => {
        expect(await search(`tags.team = 'vision'`)).toEqual(['gamma', 'alpha']);
        expect(await search(`tags.team = 'vision' AND tags.owner = 'ann'`)).toEqual(['gamma']);
        expect(await search(`tags.team LIKE 'n%'`)).toEqual(['Beta']);
      });

      it('filters on last_update_time and on tag keys with spaces', async () => {
        expect(await search(`last_update_time >= ${creation.alpha}`)).toEqual(['gamma', 'Beta', 'alpha']);
        expect(await search(`last_update_time < ${creation.alpha}`)).toEqual([]);
        expect(await search('tags.`team` = \'nlp\'')).toEqual(['Beta']);
        expect(await search(`attribute.name LIKE '%-se-_eta'`)).toEqual(['Beta']);
      });

      it('filters on creation_time', async () => {
        expect(await search(`creation_time > ${creation.alpha}`)).toEqual(['gamma', 'Beta']);
        expect(await search(`creation_time <= ${creation.alpha}`)).toEqual(['alpha']);
      });

      it('orders by name, experiment_id and creation_time', async () => {
        expect(await search(`name != '${p()}-Beta'`, { orderBy: ['name ASC'] })).toEqual(['alpha', 'gamma']);
        expect(await search(`name != '${p()}-Beta'`, { orderBy: ['name DESC'] })).toEqual(['gamma', 'alpha']);
        expect(await search('', { orderBy: ['creation_time ASC'] })).toEqual(['alpha', 'Beta', 'gamma']);
        const byId = [...['alpha', 'Beta', 'gamma']].sort((a, b) => (BigInt(ids[a]!) < BigInt(ids[b]!) ? -1 : 1));
        expect(await search('', { orderBy: ['experiment_id ASC'] })).toEqual(byId);
      });

      it('honours view types', async () => {
        expect(await search('', { viewType: 'ACTIVE_ONLY' })).toEqual(['gamma', 'Beta', 'alpha']);
        expect(await search('', { viewType: 'DELETED_ONLY' })).toEqual(['delta']);
        expect(await search('', { viewType: 'ALL' })).toEqual(['delta', 'gamma', 'Beta', 'alpha']);
      });

      it('pages through results with page tokens, returning every experiment exactly once', async () => {
        const seen: string[] = [];
        let pageToken: string | undefined;
        let pages = 0;
        do {
          const page = await store.searchExperiments({ filter: `name LIKE '${p()}-%'`, viewType: 'ALL', maxResults: 3, pageToken });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...names(page.items));
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken && pages < 10);
        expect(pages).toBe(2);
        expect(seen).toEqual(['delta', 'gamma', 'Beta', 'alpha']);
      });

      it('returns max_results items and a token when more exist', async () => {
        const page = await store.searchExperiments({ filter: `name LIKE '${p()}-%'`, maxResults: 1 });
        expect(names(page.items)).toEqual(['gamma']);
        expect(page.nextPageToken).toBeTruthy();
      });

      it('refuses max_results outside 1..50000 with MLflow messages', async () => {
        await expectError(
          store.searchExperiments({ maxResults: 0 }),
          'INVALID_PARAMETER_VALUE',
          lit("Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"),
        );
        await expectError(
          store.searchExperiments({ maxResults: 50001 }),
          'INVALID_PARAMETER_VALUE',
          lit("Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000"),
        );
      });

      it('refuses a bad filter with INVALID_PARAMETER_VALUE', async () => {
        await expectError(
          store.searchExperiments({ filter: `metrics.x > 1` }),
          'INVALID_PARAMETER_VALUE',
          "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')",
        );
        await expectError(store.searchExperiments({ filter: `name = 'a' OR name = 'b'` }), 'INVALID_PARAMETER_VALUE', 'Invalid clause(s) in filter string: OR');
        await expectError(store.searchExperiments({ filter: ' \t' }), 'INVALID_PARAMETER_VALUE', "Invalid filter ' \t'. Could not be parsed.");
      });
    });

    // ------------------------------------------------------------------ runs
    describe('runs', () => {
      it('creates a RUNNING run with a 32-hex id, the given name and an artifact uri under the experiment', async () => {
        const expId = await newExperiment();
        const exp = await store.getExperiment(expId);
        const run = await store.createRun({
          experimentId: expId,
          userId: 'ann',
          startTime: BASE_TIME + 5,
          runName: 'my-run',
          tags: [{ key: 'k', value: 'v' }],
        });
        const { info } = run;
        expect(info.runId).toMatch(/^[0-9a-f]{32}$/);
        expect(info).toMatchObject({
          runName: 'my-run',
          experimentId: expId,
          userId: 'ann',
          status: 'RUNNING',
          startTime: BASE_TIME + 5,
          endTime: null,
          lifecycleStage: 'active',
          deletedTime: null,
        });
        expect(info.artifactUri).toBe(`${exp.artifactLocation}/${info.runId}/artifacts`);
        expect(kv(run, 'tags')).toMatchObject({ k: 'v', [RUN_NAME_TAG]: 'my-run' });
        const read = await store.getRun(info.runId);
        expect(read.info).toEqual(info);
        expect(read.data.tags).toEqual(run.data.tags);
      });

      it('takes the run name from the mlflow.runName tag', async () => {
        const run = await newRun(undefined, { tags: [{ key: RUN_NAME_TAG, value: 'from-tag' }] });
        expect(run.info.runName).toBe('from-tag');
        expect((await store.getRun(run.info.runId)).info.runName).toBe('from-tag');
      });

      it('accepts a run name equal to the mlflow.runName tag', async () => {
        const run = await newRun(undefined, { runName: 'same', tags: [{ key: RUN_NAME_TAG, value: 'same' }] });
        expect(run.info.runName).toBe('same');
        expect(run.data.tags.filter((t) => t.key === RUN_NAME_TAG)).toEqual([{ key: RUN_NAME_TAG, value: 'same' }]);
      });

      it('generates a random adjective-noun-N run name and tags it', async () => {
        const run = await newRun();
        expect(run.info.runName).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
        expect(run.info.runName.length).toBeLessThanOrEqual(20);
        expect(kv(await store.getRun(run.info.runId), 'tags')[RUN_NAME_TAG]).toBe(run.info.runName);
      });

      it('refuses a run name that differs from the mlflow.runName tag', async () => {
        await expectError(
          newRun(undefined, { runName: 'a', tags: [{ key: RUN_NAME_TAG, value: 'b' }] }),
          'INVALID_PARAMETER_VALUE',
          lit("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='a', mlflow.runName='b')."),
        );
      });

      it('refuses creating a run in a deleted experiment', async () => {
        const expId = await newExperiment();
        await store.deleteExperiment(expId);
        // DRIFT: MLflow's file store raises INVALID_STATE "Could not create run under non-active
        // experiment ..."; the SQL store's INVALID_PARAMETER_VALUE is used.
        await expectError(
          newRun(expId),
          'INVALID_PARAMETER_VALUE',
          lit(`The experiment ${expId} must be in the 'active' state. Current state is deleted.`),
        );
      });

      it('refuses creating a run in a missing experiment with RESOURCE_DOES_NOT_EXIST', async () => {
        await expectError(newRun('987654322'), 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=987654322 exists');
      });

      it('refuses getRun of a missing run with RESOURCE_DOES_NOT_EXIST', async () => {
        const id = crypto.randomBytes(16).toString('hex');
        // DRIFT: MLflow's file store says "Run '<id>' not found"; the SQL wording is used.
        await expectError(store.getRun(id), 'RESOURCE_DOES_NOT_EXIST', lit(`Run with id=${id} not found`));
      });

      it('updates status, end time and run name; the name updates the mlflow.runName tag too', async () => {
        const run = await newRun(undefined, { runName: 'before' });
        const info = await store.updateRunInfo(run.info.runId, { status: 'FINISHED', endTime: BASE_TIME + 100 });
        expect(info).toMatchObject({ status: 'FINISHED', endTime: BASE_TIME + 100, runName: 'before' });
        const renamed = await store.updateRunInfo(run.info.runId, { runName: 'after' });
        // Only given fields change.
        expect(renamed).toMatchObject({ status: 'FINISHED', endTime: BASE_TIME + 100, runName: 'after' });
        const read = await store.getRun(run.info.runId);
        expect(read.info).toMatchObject({ status: 'FINISHED', endTime: BASE_TIME + 100, runName: 'after', startTime: BASE_TIME });
        expect(kv(read, 'tags')[RUN_NAME_TAG]).toBe('after');
      });

      // DRIFT: MLflow's file store says "The run <id> must be in 'active' lifecycle_stage."; the SQL wording is used.
      it('refuses updating a deleted run', async () => {
        const run = await newRun();
        await store.deleteRun(run.info.runId);
        await expectError(
          store.updateRunInfo(run.info.runId, { status: 'FINISHED' }),
          'INVALID_PARAMETER_VALUE',
          lit(`The run ${run.info.runId} must be in the 'active' state. Current state is deleted.`),
        );
      });

      it('refuses updating, deleting and restoring a missing run with RESOURCE_DOES_NOT_EXIST', async () => {
        const id = crypto.randomBytes(16).toString('hex');
        await expectError(store.updateRunInfo(id, { status: 'FINISHED' }), 'RESOURCE_DOES_NOT_EXIST', runNotFound(id));
        await expectError(store.deleteRun(id), 'RESOURCE_DOES_NOT_EXIST', runNotFound(id));
        await expectError(store.restoreRun(id), 'RESOURCE_DOES_NOT_EXIST', runNotFound(id));
      });

      it('deletes a run (setting deletedTime) and restores it (clearing deletedTime)', async () => {
        const run = await newRun();
        const before = Date.now();
        await store.deleteRun(run.info.runId);
        const deleted = await store.getRun(run.info.runId);
        expect(deleted.info.lifecycleStage).toBe('deleted');
        if (!overHttp()) {
          expect(deleted.info.deletedTime).toBeGreaterThanOrEqual(before);
          expect(deleted.info.deletedTime).toBeLessThanOrEqual(Date.now());
        }
        await store.restoreRun(run.info.runId);
        const restored = await store.getRun(run.info.runId);
        expect(restored.info.lifecycleStage).toBe('active');
        expect(restored.info.deletedTime).toBeNull();
      });

      it('deleting an experiment deletes its runs and restoring it brings them all back', async () => {
        const expId = await newExperiment();
        const a = await newRun(expId);
        const b = await newRun(expId);
        await store.deleteRun(b.info.runId);
        await store.deleteExperiment(expId);
        for (const r of [a, b]) {
          const info = (await store.getRun(r.info.runId)).info;
          expect(info.lifecycleStage).toBe('deleted');
          if (!overHttp()) expect(info.deletedTime).not.toBeNull();
        }
        await store.restoreExperiment(expId);
        // Both MLflow stores restore every deleted run of the experiment, including one deleted on its own before.
        for (const r of [a, b]) {
          const info = (await store.getRun(r.info.runId)).info;
          expect(info.lifecycleStage).toBe('active');
          expect(info.deletedTime).toBeNull();
        }
      });
    });

    // ------------------------------------------------------------------ logging
    describe('logging', () => {
      it('logs params, metrics and tags with logBatch and reads them back', async () => {
        const run = await newRun();
        await store.logBatch(run.info.runId, {
          params: [{ key: 'lr', value: '0.01' }, { key: 'layers', value: '3' }],
          metrics: [{ key: 'loss', value: 0.5, timestamp: BASE_TIME, step: 0 }],
          tags: [{ key: 't', value: 'v' }],
        });
        const read = await store.getRun(run.info.runId);
        expect(read.data.params).toEqual([{ key: 'layers', value: '3' }, { key: 'lr', value: '0.01' }]);
        expect(read.data.metrics).toEqual([{ key: 'loss', value: 0.5, timestamp: BASE_TIME, step: 0 }]);
        expect(userTags(read)).toEqual({ t: 'v' });
      });

      it('treats re-logging a param with the same value as a no-op', async () => {
        const run = await newRun();
        await store.logParam(run.info.runId, { key: 'p', value: '1' });
        await store.logParam(run.info.runId, { key: 'p', value: '1' });
        await store.logBatch(run.info.runId, { params: [{ key: 'p', value: '1' }] });
        expect((await store.getRun(run.info.runId)).data.params).toEqual([{ key: 'p', value: '1' }]);
      });

      it('refuses a new value for a logged param with MLflow\'s message', async () => {
        const run = await newRun();
        const id = run.info.runId;
        await store.logParam(id, { key: 'p', value: '1' });
        await expectError(
          store.logParam(id, { key: 'p', value: '2' }),
          'INVALID_PARAMETER_VALUE',
          lit(`Changing param values is not allowed. Param with key='p' was already logged with value='1' for run ID='${id}'. Attempted logging new value '2'.`),
        );
        await expectError(
          store.logBatch(id, { params: [{ key: 'p', value: '3' }] }),
          'INVALID_PARAMETER_VALUE',
          lit(`Changing param values is not allowed. Params were already logged='[{'key': 'p', 'old_value': '1', 'new_value': '3'}]' for run ID='${id}'.`),
        );
        expect((await store.getRun(id)).data.params).toEqual([{ key: 'p', value: '1' }]);
      });

      it('reports the latest metric as the maximum by (step, timestamp, value)', async () => {
        const run = await newRun();
        const id = run.info.runId;
        await store.logBatch(id, {
          metrics: [
            { key: 'm', value: 5, timestamp: 300, step: 0 },
            { key: 'm', value: 1, timestamp: 50, step: 1 },
            { key: 'm', value: 0.5, timestamp: 50, step: 1 },
            { key: 'm', value: 9, timestamp: 40, step: 1 },
          ],
        });
        await store.logMetric(id, { key: 'm', value: 100, timestamp: 1000, step: 0 });
        expect(latest(await store.getRun(id), 'm')).toEqual({ key: 'm', value: 1, timestamp: 50, step: 1 });
        await store.logMetric(id, { key: 'm', value: -3, timestamp: 1, step: 2 });
        expect(latest(await store.getRun(id), 'm')).toEqual({ key: 'm', value: -3, timestamp: 1, step: 2 });
      });

      it('round-trips NaN, +Infinity and -Infinity in history and latest value', async () => {
        // DRIFT: MLflow's SQL store reads ±inf back as ±1.7976931348623157e308; mlf keeps them infinite everywhere.
        const run = await newRun();
        const id = run.info.runId;
        await store.logBatch(id, {
          metrics: [
            { key: 'nan', value: NaN, timestamp: 10, step: 0 },
            { key: 'pinf', value: Infinity, timestamp: 10, step: 0 },
            { key: 'ninf', value: -Infinity, timestamp: 10, step: 0 },
            { key: 'mix', value: NaN, timestamp: 10, step: 0 },
            { key: 'mix', value: Infinity, timestamp: 10, step: 1 },
          ],
        });
        await store.logMetric(id, { key: 'mix', value: -Infinity, timestamp: 10, step: 2 });
        const read = await store.getRun(id);
        expect(latest(read, 'nan')?.value).toBeNaN();
        expect(latest(read, 'pinf')?.value).toBe(Infinity);
        expect(latest(read, 'ninf')?.value).toBe(-Infinity);
        expect(latest(read, 'mix')).toEqual({ key: 'mix', value: -Infinity, timestamp: 10, step: 2 });
        expect(await store.getMetricHistory(id, 'mix')).toEqual([
          { key: 'mix', value: NaN, timestamp: 10, step: 0 },
          { key: 'mix', value: Infinity, timestamp: 10, step: 1 },
          { key: 'mix', value: -Infinity, timestamp: 10, step: 2 },
        ]);
        expect((await store.getMetricHistory(id, 'nan'))[0]?.value).toBeNaN();
      });

      it('round-trips exact doubles, negative and large steps, and large timestamps', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const values = [0.1 + 0.2, 1e308, 5e-324, 123456789.123456789, -2.5e-7, 2 ** 53];
        await store.logBatch(id, { metrics: values.map((value, i) => ({ key: 'x', value, timestamp: 4_102_444_800_000 + i, step: i - 3 })) });
        await store.logMetric(id, { key: 'big', value: 1, timestamp: 0, step: 2 ** 40 });
        const hist = await store.getMetricHistory(id, 'x');
        expect(hist).toEqual(values.map((value, i) => ({ key: 'x', value, timestamp: 4_102_444_800_000 + i, step: i - 3 })));
        const read = await store.getRun(id);
        expect(latest(read, 'x')).toEqual({ key: 'x', value: 2 ** 53, timestamp: 4_102_444_800_005, step: 2 });
        expect(latest(read, 'big')).toEqual({ key: 'big', value: 1, timestamp: 0, step: 2 ** 40 });
      });

      it('refuses a negative metric timestamp', async () => {
        const run = await newRun();
        await expectError(
          store.logMetric(run.info.runId, { key: 'm', value: 1, timestamp: -1, step: 0 }),
          'INVALID_PARAMETER_VALUE',
          lit("Invalid value -1 for parameter 'timestamp' supplied: metric 'm' (value=1.0). Timestamp must be a nonnegative long (64-bit integer) "),
        );
        expect((await store.getRun(run.info.runId)).data.metrics).toEqual([]);
      });

      it('refuses keys longer than 250 characters', async () => {
        const run = await newRun();
        const key = 'k'.repeat(251);
        // MLflow labels the limit per entity ('Param key', 'Metric name') but, for set_tag, by the JSON path.
        await expectError(store.logParam(run.info.runId, { key, value: '1' }), 'INVALID_PARAMETER_VALUE', "'Param key' exceeds the maximum length of 250 characters");
        await expectError(
          store.logMetric(run.info.runId, { key, value: 1, timestamp: 1, step: 0 }),
          'INVALID_PARAMETER_VALUE',
          "'Metric name' exceeds the maximum length of 250 characters",
        );
        await expectError(store.setTag(run.info.runId, { key, value: '1' }), 'INVALID_PARAMETER_VALUE', "'key' exceeds the maximum length of 250 characters");
        await store.logParam(run.info.runId, { key: 'k'.repeat(250), value: '1' });
        expect((await store.getRun(run.info.runId)).data.params).toEqual([{ key: 'k'.repeat(250), value: '1' }]);
      });

      it('round-trips empty and non-ASCII param and tag values', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const fancy = 'ünïcödé 中文 😀 "quoted" \'single\' back\\slash\nnew line';
        await store.logBatch(id, { params: [{ key: 'empty', value: '' }, { key: 'fancy', value: fancy }], tags: [{ key: 'fancy', value: fancy }] });
        const read = await store.getRun(id);
        expect(kv(read, 'params')).toEqual({ empty: '', fancy });
        expect(userTags(read)).toEqual({ fancy });
      });

      it('stores a metric point logged twice only once', async () => {
        // DRIFT: MLflow's file store appends duplicates; its SQL store ignores a row identical on the
        // whole primary key (key, timestamp, step, run, value, is_nan). The SQL behaviour is used.
        const run = await newRun();
        const id = run.info.runId;
        const point = { key: 'd', value: 1.5, timestamp: 10, step: 3 };
        await store.logMetric(id, point);
        await store.logMetric(id, point);
        await store.logBatch(id, { metrics: [point, point, { ...point, value: 2 }] });
        // Same (step, timestamp): the order between the two values is not specified, so sort by value.
        const hist = (await store.getMetricHistory(id, 'd')).sort((a, b) => a.value - b.value);
        expect(hist).toEqual([point, { ...point, value: 2 }]);
      });

      it('returns metric history ordered by (step, timestamp)', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const pts: Metric[] = [
          { key: 'h', value: 3, timestamp: 5, step: 2 },
          { key: 'h', value: 1, timestamp: 9, step: 0 },
          { key: 'h', value: 2, timestamp: 1, step: 1 },
          { key: 'h', value: 0, timestamp: 2, step: 0 },
          { key: 'h', value: 4, timestamp: 0, step: 10 },
        ];
        await store.logBatch(id, { metrics: pts.slice(0, 3) });
        for (const m of pts.slice(3)) await store.logMetric(id, m);
        expect((await store.getMetricHistory(id, 'h')).map((m) => m.value)).toEqual([0, 1, 2, 3, 4]);
        expect(await store.getMetricHistory(id, 'nope')).toEqual([]);
      });

      it('answers an empty history for a run that does not exist, a deleted run\'s history as it is', async () => {
        // DRIFT: MLflow's SQL store reads the points without looking the run up; its file store
        // answers RESOURCE_DOES_NOT_EXIST. The SQL store's answer is used.
        expect(await store.getMetricHistory(crypto.randomUUID().replace(/-/g, ''), 'h')).toEqual([]);
        const run = await newRun();
        await store.logMetric(run.info.runId, { key: 'h', value: 1, timestamp: 1, step: 0 });
        await store.deleteRun(run.info.runId);
        expect(await store.getMetricHistory(run.info.runId, 'h')).toEqual([{ key: 'h', value: 1, timestamp: 1, step: 0 }]);
      });

      it('refuses a batch of 1001 metrics with MLflow\'s message and writes nothing', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
        await expectError(
          store.logBatch(id, { metrics, params: [{ key: 'p', value: '1' }] }),
          'INVALID_PARAMETER_VALUE',
          lit('A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.'),
        );
        const read = await store.getRun(id);
        expect(read.data.metrics).toEqual([]);
        expect(read.data.params).toEqual([]);
        expect(await store.getMetricHistory(id, 'm')).toEqual([]);
      });

      it('refuses a batch of 101 params with MLflow\'s message and writes nothing', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
        await expectError(
          store.logBatch(id, { params, metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }),
          'INVALID_PARAMETER_VALUE',
          lit('A batch logging request can contain at most 100 params. Got 101 params. Please split up params across multiple requests and try again.'),
        );
        const read = await store.getRun(id);
        expect(read.data.params).toEqual([]);
        expect(read.data.metrics).toEqual([]);
      });

      it('accepts a batch at the limits (1000 metrics, 100 params)', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i, timestamp: i, step: i }));
        const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
        // 1100 entities exceeds MLflow's 1000-entity cap, so split: metrics alone, then params alone.
        await store.logBatch(id, { metrics });
        await store.logBatch(id, { params });
        const read = await store.getRun(id);
        expect(read.data.params).toHaveLength(100);
        expect(kv(read, 'params').p42).toBe('42');
        expect(latest(read, 'm3')).toEqual({ key: 'm3', value: 993, timestamp: 993, step: 993 });
        expect(await store.getMetricHistory(id, 'm0')).toHaveLength(100);
      });

      it('writes nothing at all when one item of a batch has a bad key', async () => {
        // mlf's all-or-nothing rule: MLflow validates first too, but its SQL store writes params,
        // metrics and tags in separate sessions, so a late failure can leave part of a batch behind.
        const run = await newRun();
        const id = run.info.runId;
        await expectError(
          store.logBatch(id, {
            params: [{ key: 'ok', value: '1' }],
            metrics: [
              { key: 'good', value: 1, timestamp: 1, step: 0 },
              { key: '../x', value: 1, timestamp: 1, step: 0 },
            ],
            tags: [{ key: 'tag', value: 'v' }],
          }),
          'INVALID_PARAMETER_VALUE',
          notAFileName('metrics[1].name', '../x', '../x'),
        );
        const read = await store.getRun(id);
        expect(read.data.params).toEqual([]);
        expect(read.data.metrics).toEqual([]);
        expect(userTags(read)).toEqual({});
      });

      it('writes nothing at all when a batch changes a logged param', async () => {
        const run = await newRun();
        const id = run.info.runId;
        await store.logParam(id, { key: 'p', value: '1' });
        await expectError(
          store.logBatch(id, {
            params: [{ key: 'q', value: 'new' }, { key: 'p', value: '2' }],
            metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
            tags: [{ key: 't', value: 'v' }],
          }),
          'INVALID_PARAMETER_VALUE',
          lit(`Changing param values is not allowed. Params were already logged='[{'key': 'p', 'old_value': '1', 'new_value': '2'}]' for run ID='${id}'.`),
        );
        const read = await store.getRun(id);
        expect(read.data.params).toEqual([{ key: 'p', value: '1' }]);
        expect(read.data.metrics).toEqual([]);
        expect(userTags(read)).toEqual({});
      });

      it('refuses duplicate param keys in one batch', async () => {
        const run = await newRun();
        await expectError(
          store.logBatch(run.info.runId, { params: [{ key: 'p', value: '1' }, { key: 'p', value: '2' }] }),
          'INVALID_PARAMETER_VALUE',
          "Duplicate parameter keys have been submitted: ['p']. Please ensure the request contains only one param value per param key.",
        );
        expect((await store.getRun(run.info.runId)).data.params).toEqual([]);
      });

      it('accepts keys with slashes, spaces, dots, colons and Unicode letters', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const keys = ['a/b/c', 'with space', 'dot.key', 'colon:key', 'ключ', 'naïve_ü', 'x-y_z'];
        for (const key of keys) {
          await store.logParam(id, { key, value: `v ${key}` });
          await store.logMetric(id, { key, value: 1, timestamp: 1, step: 0 });
          await store.setTag(id, { key, value: `t ${key}` });
        }
        const read = await store.getRun(id);
        // Compared as sets: where these keys sort depends on the database collation.
        const byKey = <T extends { key: string }>(xs: T[]) => [...xs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        expect(byKey(read.data.params)).toEqual(byKey(keys.map((key) => ({ key, value: `v ${key}` }))));
        expect(byKey(read.data.metrics)).toEqual(byKey(keys.map((key) => ({ key, value: 1, timestamp: 1, step: 0 }))));
        expect(userTags(read)).toEqual(Object.fromEntries(keys.map((k) => [k, `t ${k}`])));
        expect(await store.getMetricHistory(id, 'a/b/c')).toEqual([{ key: 'a/b/c', value: 1, timestamp: 1, step: 0 }]);
      });

      it('refuses keys that are not safe file names (../x, /abs, a//b, empty) and bad characters', async () => {
        const run = await newRun();
        const id = run.info.runId;
        // Over HTTP an empty key is a missing field to the server's request checks, as in MLflow's server.
        const missingKey = "Missing value for required parameter 'key'. See the API docs for more information about request parameters.";
        for (const [key, resolved] of [['../x', '../x'], ['/abs', '/abs'], ['a//b', 'a/b'], ['a/./b', 'a/b'], ['', '.']] as const) {
          const refused = (path: string) => (key === '' && overHttp() ? missingKey : notAFileName(path, key, resolved));
          await expectError(store.logParam(id, { key, value: '1' }), 'INVALID_PARAMETER_VALUE', refused('key'));
          await expectError(store.logMetric(id, { key, value: 1, timestamp: 1, step: 0 }), 'INVALID_PARAMETER_VALUE', refused('name'));
          await expectError(store.setTag(id, { key, value: '1' }), 'INVALID_PARAMETER_VALUE', refused('key'));
        }
        await expectError(
          store.logParam(id, { key: 'a*b', value: '1' }),
          'INVALID_PARAMETER_VALUE',
          storeMessage(
            lit(`Invalid value "a*b" for parameter 'key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`),
          ),
        );
        const read = await store.getRun(id);
        expect(read.data.params).toEqual([]);
        expect(read.data.metrics).toEqual([]);
        expect(userTags(read)).toEqual({});
      });

      it('truncates a long param value to 6000 characters', async () => {
        const run = await newRun();
        await store.logParam(run.info.runId, { key: 'long', value: 'x'.repeat(7000) });
        // The same long value again compares equal after truncation: a no-op, not a changed param.
        await store.logParam(run.info.runId, { key: 'long', value: 'x'.repeat(7000) });
        await store.logBatch(run.info.runId, { params: [{ key: 'long2', value: 'y'.repeat(6500) }] });
        const params = kv(await store.getRun(run.info.runId), 'params');
        expect(params.long).toBe('x'.repeat(6000));
        expect(params.long2).toBe('y'.repeat(6000));
      });

      it('keeps tag values up to 8000 characters and truncates longer ones', async () => {
        // DRIFT: MLflow's file store set_tag does not check value length; its SQL store and log_batch
        // truncate to 8000. mlf truncates everywhere.
        const run = await newRun();
        const long = 'é'.repeat(7999) + 'z';
        await store.setTag(run.info.runId, { key: 'exact', value: long });
        await store.setTag(run.info.runId, { key: 'over', value: 'q'.repeat(9000) });
        await store.logBatch(run.info.runId, { tags: [{ key: 'over2', value: 'r'.repeat(8500) }] });
        const tags = userTags(await store.getRun(run.info.runId));
        expect(tags.exact).toBe(long);
        expect(tags.over).toBe('q'.repeat(8000));
        expect(tags.over2).toBe('r'.repeat(8000));
      });

      it('overwrites a tag and deletes it', async () => {
        const run = await newRun();
        const id = run.info.runId;
        await store.setTag(id, { key: 't', value: '1' });
        await store.setTag(id, { key: 't', value: '2' });
        expect(userTags(await store.getRun(id))).toEqual({ t: '2' });
        await store.deleteTag(id, 't');
        expect(userTags(await store.getRun(id))).toEqual({});
      });

      it('refuses deleting a missing tag with RESOURCE_DOES_NOT_EXIST', async () => {
        const run = await newRun();
        await expectError(
          store.deleteTag(run.info.runId, 'nope'),
          'RESOURCE_DOES_NOT_EXIST',
          lit(`No tag with name: nope in run with id ${run.info.runId}`),
        );
      });

      it('setting the mlflow.runName tag renames the run', async () => {
        const run = await newRun(undefined, { runName: 'first' });
        await store.setTag(run.info.runId, { key: RUN_NAME_TAG, value: 'second' });
        expect((await store.getRun(run.info.runId)).info.runName).toBe('second');
      });

      it('refuses every write to a deleted run', async () => {
        const run = await newRun();
        const id = run.info.runId;
        await store.setTag(id, { key: 'keep', value: '1' });
        await store.deleteRun(id);
        const msg = lit(`The run ${id} must be in the 'active' state. Current state is deleted.`);
        await expectError(store.logBatch(id, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }), 'INVALID_PARAMETER_VALUE', msg);
        await expectError(store.logMetric(id, { key: 'm', value: 1, timestamp: 1, step: 0 }), 'INVALID_PARAMETER_VALUE', msg);
        await expectError(store.logParam(id, { key: 'p', value: '1' }), 'INVALID_PARAMETER_VALUE', msg);
        await expectError(store.setTag(id, { key: 't', value: '1' }), 'INVALID_PARAMETER_VALUE', msg);
        await expectError(store.deleteTag(id, 'keep'), 'INVALID_PARAMETER_VALUE', msg);
        await expectError(
          store.logInputs(id, [{ dataset: { name: 'd', digest: 'x', sourceType: 'local', source: 's' }, tags: [] }]),
          'INVALID_PARAMETER_VALUE',
          msg,
        );
        const read = await store.getRun(id);
        expect(read.data.metrics).toEqual([]);
        expect(read.data.params).toEqual([]);
        expect(userTags(read)).toEqual({ keep: '1' });
        expect(read.inputs.datasetInputs).toEqual([]);
      });

      it('refuses writes to a missing run with RESOURCE_DOES_NOT_EXIST', async () => {
        const id = crypto.randomBytes(16).toString('hex');
        await expectError(store.logParam(id, { key: 'p', value: '1' }), 'RESOURCE_DOES_NOT_EXIST', runNotFound(id));
        await expectError(store.logBatch(id, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }), 'RESOURCE_DOES_NOT_EXIST', runNotFound(id));
      });

      it('logs inputs, deduplicating datasets by name and digest, with input tags', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const train: DatasetInput = {
          dataset: { name: 'train', digest: 'abc123', sourceType: 'local', source: '{"uri": "/data/train"}', schema: '{"cols": 3}', profile: '{"rows": 10}' },
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        };
        const evalSet: DatasetInput = {
          dataset: { name: 'train', digest: 'def456', sourceType: 'local', source: '{"uri": "/data/eval"}' },
          tags: [{ key: 'mlflow.data.context', value: 'eval' }],
        };
        await store.logInputs(id, [train, train]);
        await store.logInputs(id, [train, evalSet]);
        const inputs = (await store.getRun(id)).inputs.datasetInputs;
        const byDigest = [...inputs].sort((a, b) => (a.dataset.digest < b.dataset.digest ? -1 : 1));
        expect(byDigest).toHaveLength(2);
        expect(byDigest[0]).toMatchObject(train);
        expect(byDigest[1]?.dataset).toMatchObject(evalSet.dataset);
        expect(byDigest[1]?.tags).toEqual(evalSet.tags);
        // The same dataset used by a second run is shown there too.
        const other = await newRun(run.info.experimentId);
        await store.logInputs(other.info.runId, [train]);
        expect((await store.getRun(other.info.runId)).inputs.datasetInputs).toEqual([expect.objectContaining({ dataset: expect.objectContaining(train.dataset) })]);
      });

      it('appends each recorded model to the mlflow.log-model.history tag', async () => {
        const run = await newRun();
        const m1 = { run_id: run.info.runId, artifact_path: 'model', utc_time_created: '2024-01-01 00:00:00.000000', flavors: { python_function: {} } };
        const m2 = { run_id: run.info.runId, artifact_path: 'model2', utc_time_created: '2024-01-02 00:00:00.000000', flavors: {} };
        await store.recordLoggedModel(run.info.runId, JSON.stringify(m1));
        await store.recordLoggedModel(run.info.runId, JSON.stringify(m2));
        const raw = kv(await store.getRun(run.info.runId), 'tags')[LOG_MODEL_HISTORY];
        expect(raw).toBeDefined();
        expect(JSON.parse(raw!)).toEqual([m1, m2]);
      });

      it('refuses model JSON that does not parse with one message on every store', async () => {
        const run = await newRun();
        await expectError(
          store.recordLoggedModel(run.info.runId, '{"artifact_path": '),
          'INVALID_PARAMETER_VALUE',
          storeMessage(lit('Malformed model info. \n {"artifact_path":  \n is not a valid JSON.')),
        );
      });
    });

    // ------------------------------------------------------------------ search runs
    describe('searchRuns', () => {
      // Read-only fixture. r4 has no metrics/params/tags; r5 is deleted.
      let expId = '';
      const r: Record<string, Run> = {};
      beforeAll(async () => {
        expId = await newExperiment(uniq('sr'));
        const mk = async (name: string, userId: string, startTime: number) =>
          (r[name] = await store.createRun({ experimentId: expId, runName: name, userId, startTime }));
        await mk('r1', 'alice', 1000);
        await mk('r2', 'bob', 2000);
        await mk('R3', 'alice', 3000);
        await mk('r4', 'carol', 4000);
        await mk('r5', 'dave', 5000);
        const m = (key: string, value: number) => ({ key, value, timestamp: 1, step: 0 });
        await store.logBatch(r.r1!.info.runId, {
          metrics: [m('loss', 0.5), m('acc', 0.9)],
          params: [{ key: 'lr', value: '0.01' }, { key: 'model', value: 'CNN' }],
          tags: [{ key: 'team', value: 'Vision' }, { key: 'k', value: 'b' }],
        });
        await store.logBatch(r.r2!.info.runId, {
          metrics: [m('loss', 0.2), m('acc', NaN)],
          params: [{ key: 'lr', value: '0.1' }, { key: 'model', value: 'cnn' }],
          tags: [{ key: 'team', value: 'vision' }, { key: 'k', value: 'c' }],
        });
        await store.logBatch(r.R3!.info.runId, {
          metrics: [m('loss', 0.8)],
          params: [{ key: 'lr', value: '0.001' }],
          tags: [{ key: 'team', value: 'nlp' }, { key: 'k', value: 'a' }],
        });
        await store.logBatch(r.r5!.info.runId, { metrics: [m('loss', 0.1)] });
        await store.updateRunInfo(r.r1!.info.runId, { status: 'FINISHED', endTime: 1500 });
        await store.updateRunInfo(r.R3!.info.runId, { status: 'FAILED', endTime: 3500 });
        await store.logInputs(r.r1!.info.runId, [
          { dataset: { name: 'train', digest: 'd1', sourceType: 'local', source: 's1' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] },
        ]);
        await store.logInputs(r.R3!.info.runId, [
          { dataset: { name: 'eval', digest: 'd2', sourceType: 'local', source: 's2' }, tags: [{ key: 'mlflow.data.context', value: 'testing' }] },
        ]);
        await store.deleteRun(r.r5!.info.runId);
      });
      const find = async (filter?: string, orderBy?: string[], viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL') =>
        runNames((await store.searchRuns({ experimentIds: [expId], filter, orderBy, viewType })).items);

      it('returns full runs ordered by start_time DESC by default', async () => {
        const page = await store.searchRuns({ experimentIds: [expId] });
        expect(runNames(page.items)).toEqual(['r4', 'R3', 'r2', 'r1']);
        expect(page.nextPageToken).toBeUndefined();
        const r1 = page.items[3]!;
        expect(r1.info).toEqual((await store.getRun(r.r1!.info.runId)).info);
        expect(kv(r1, 'params')).toEqual({ lr: '0.01', model: 'CNN' });
        expect(r1.data.metrics).toEqual([
          { key: 'acc', value: 0.9, timestamp: 1, step: 0 },
          { key: 'loss', value: 0.5, timestamp: 1, step: 0 },
        ]);
        expect(r1.inputs.datasetInputs.map((d) => d.dataset.name)).toEqual(['train']);
      });

      it('filters on metrics with <, >, =, != (runs without the metric never match)', async () => {
        expect(await find('metrics.loss < 0.6')).toEqual(['r2', 'r1']);
        expect(await find('metrics.loss > 0.3')).toEqual(['R3', 'r1']);
        expect(await find('metrics.loss = 0.2')).toEqual(['r2']);
        expect(await find('metrics.loss != 0.2')).toEqual(['R3', 'r1']);
        expect(await find('metrics.loss >= 0.5 AND metrics.loss <= 0.5')).toEqual(['r1']);
        expect(await find('metric.acc > 0')).toEqual(['r1']);
      });

      it('filters on params and tags', async () => {
        expect(await find(`params.lr = '0.01'`)).toEqual(['r1']);
        expect(await find(`params.lr != '0.01'`)).toEqual(['R3', 'r2']);
        expect(await find(`param.model != 'CNN'`)).toEqual(['r2']);
        expect(await find(`tags.team = 'nlp'`)).toEqual(['R3']);
        expect(await find(`tag.team LIKE '%isi%'`)).toEqual(['r2', 'r1']);
        expect(await find(`metrics.loss < 1 AND params.lr = '0.1'`)).toEqual(['r2']);
        expect(await find('params.`lr` = \'0.001\'')).toEqual(['R3']);
        expect(await find(`tags."team" = 'nlp'`)).toEqual(['R3']);
      });

      it('makes = and LIKE case-sensitive and ILIKE case-insensitive on every store', async () => {
        expect(await find(`params.model = 'CNN'`)).toEqual(['r1']);
        expect(await find(`params.model = 'Cnn'`)).toEqual([]);
        expect(await find(`params.model LIKE 'c%'`)).toEqual(['r2']);
        expect(await find(`params.model LIKE 'C_N'`)).toEqual(['r1']);
        expect(await find(`params.model ILIKE 'c%'`)).toEqual(['r2', 'r1']);
        expect(await find(`tags.team = 'vision'`)).toEqual(['r2']);
        expect(await find(`tags.team != 'vision'`)).toEqual(['R3', 'r1']);
        expect(await find(`tags.team ILIKE 'VISION'`)).toEqual(['r2', 'r1']);
        expect(await find(`attributes.run_name = 'r3'`)).toEqual([]);
        expect(await find(`attributes.run_name ILIKE 'r3'`)).toEqual(['R3']);
        expect(await find(`attributes.run_name LIKE 'r%'`)).toEqual(['r4', 'r2', 'r1']);
      });

      it('filters on attributes: status, run_name, start_time, end_time, run_id IN, user_id, artifact_uri', async () => {
        expect(await find(`attributes.status = 'FAILED'`)).toEqual(['R3']);
        expect(await find(`attributes.status != 'RUNNING'`)).toEqual(['R3', 'r1']);
        expect(await find(`attributes.run_name = 'r2'`)).toEqual(['r2']);
        expect(await find(`run_name = 'r4'`)).toEqual(['r4']);
        expect(await find(`attributes.start_time > 1500`)).toEqual(['r4', 'R3', 'r2']);
        expect(await find(`attributes.start_time >= 2000 AND attributes.start_time <= 3000`)).toEqual(['R3', 'r2']);
        expect(await find(`attributes.created < 2000`)).toEqual(['r1']);
        expect(await find(`attributes.end_time = 3500`)).toEqual(['R3']);
        expect(await find(`attributes.run_id IN ('${r.r1!.info.runId}', '${r.R3!.info.runId}')`)).toEqual(['R3', 'r1']);
        expect(await find(`attributes.run_id NOT IN ('${r.r1!.info.runId}')`)).toEqual(['r4', 'R3', 'r2']);
        expect(await find(`attributes.run_id = '${r.r2!.info.runId}'`)).toEqual(['r2']);
        expect(await find(`attributes.user_id = 'alice'`)).toEqual(['R3', 'r1']);
        expect(await find(`attributes.artifact_uri LIKE '%${r.r2!.info.runId}%'`)).toEqual(['r2']);
      });

      it('filters on datasets: name, digest, context', async () => {
        expect(await find(`datasets.name = 'train'`)).toEqual(['r1']);
        expect(await find(`dataset.digest = 'd2'`)).toEqual(['R3']);
        expect(await find(`datasets.context = 'training'`)).toEqual(['r1']);
        expect(await find(`datasets.name IN ('train', 'eval')`)).toEqual(['R3', 'r1']);
        expect(await find(`datasets.name LIKE 'ev%'`)).toEqual(['R3']);
      });

      it('orders by a metric ASC/DESC with values first, then NaN, then missing', async () => {
        expect(await find(undefined, ['metrics.loss ASC'])).toEqual(['r2', 'r1', 'R3', 'r4']);
        expect(await find(undefined, ['metrics.loss DESC'])).toEqual(['R3', 'r1', 'r2', 'r4']);
        // Ties among missing values fall back to start_time DESC.
        expect(await find(undefined, ['metrics.acc ASC'])).toEqual(['r1', 'r2', 'r4', 'R3']);
        expect(await find(undefined, ['metrics.acc DESC'])).toEqual(['r1', 'r2', 'r4', 'R3']);
      });

      it('filters and orders on the same metric, param or tag as when filtering alone', async () => {
        // Runs lacking the key never match and a NaN value matches only `!=`, whatever the order.
        for (const order of [[], ['metrics.acc ASC'], ['metrics.acc DESC', 'metrics.loss ASC']]) {
          expect(await find('metrics.acc > 0', order)).toEqual(['r1']);
          expect(await find('metrics.acc != 0.9', order)).toEqual(['r2']);
          expect(await find('metrics.acc != 5', order)).toEqual(order.length ? ['r1', 'r2'] : ['r2', 'r1']);
        }
        expect(await find('metrics.loss < 0.6', ['metrics.loss DESC'])).toEqual(['r1', 'r2']);
        expect(await find('metrics.loss >= 0.2 AND metrics.loss != 0.5', ['metrics.loss ASC'])).toEqual(['r2', 'R3']);
        expect(await find(`params.model != 'CNN'`, ['params.model ASC'])).toEqual(['r2']);
        expect(await find(`params.lr LIKE '0.0%'`, ['params.lr DESC'])).toEqual(['r1', 'R3']);
        expect(await find(`tags.k != 'b'`, ['tags.k DESC'])).toEqual(['r2', 'R3']);
        expect(await find(`tags.team ILIKE 'VISION'`, ['tags.team ASC', 'metrics.acc ASC'])).toEqual(['r1', 'r2']);
      });

      it('orders by a param and a tag with missing values last', async () => {
        expect(await find(undefined, ['params.lr ASC'])).toEqual(['R3', 'r1', 'r2', 'r4']);
        expect(await find(undefined, ['params.lr DESC'])).toEqual(['r2', 'r1', 'R3', 'r4']);
        expect(await find(undefined, ['tags.k ASC'])).toEqual(['R3', 'r1', 'r2', 'r4']);
        expect(await find(undefined, ['tags.k DESC'])).toEqual(['r2', 'r1', 'R3', 'r4']);
      });

      it('orders by attributes with start_time DESC as the tie-break', async () => {
        expect(await find(undefined, ['attributes.start_time ASC'])).toEqual(['r1', 'r2', 'R3', 'r4']);
        expect(await find(undefined, ['start_time DESC'])).toEqual(['r4', 'R3', 'r2', 'r1']);
        expect(await find(undefined, ['attributes.user_id ASC'])).toEqual(['R3', 'r1', 'r2', 'r4']);
        expect(await find(undefined, ['attributes.status ASC'])).toEqual(['R3', 'r1', 'r4', 'r2']);
        expect(await find(undefined, ['attributes.end_time DESC'])).toEqual(['R3', 'r1', 'r4', 'r2']);
        expect(await find(undefined, ['attributes.user_id ASC', 'metrics.loss ASC'])).toEqual(['r1', 'R3', 'r2', 'r4']);
      });

      it('filters metrics on the latest value only, and run_name on the current name', async () => {
        const e = await newExperiment();
        const run = await store.createRun({ experimentId: e, runName: 'old-name', startTime: BASE_TIME });
        await store.logBatch(run.info.runId, {
          metrics: [
            { key: 'loss', value: 0.1, timestamp: 1, step: 0 },
            { key: 'loss', value: 0.9, timestamp: 2, step: 1 },
          ],
        });
        const ids = async (filter: string) => (await store.searchRuns({ experimentIds: [e], filter })).items.map((x) => x.info.runId);
        expect(await ids('metrics.loss < 0.5')).toEqual([]);
        expect(await ids('metrics.loss > 0.5')).toEqual([run.info.runId]);
        await store.updateRunInfo(run.info.runId, { runName: 'new-name' });
        expect(await ids(`attributes.run_name = 'old-name'`)).toEqual([]);
        expect(await ids(`attributes.run_name = 'new-name'`)).toEqual([run.info.runId]);
        expect(await ids(`tags.mlflow.runName = 'new-name'`)).toEqual([run.info.runId]);
      });

      it('breaks start_time ties by run id ascending', async () => {
        const e = await newExperiment();
        const runs = [];
        for (let i = 0; i < 5; i++) runs.push(await store.createRun({ experimentId: e, startTime: BASE_TIME }));
        const page = await store.searchRuns({ experimentIds: [e] });
        expect(page.items.map((x) => x.info.runId)).toEqual(runs.map((x) => x.info.runId).sort());
      });

      it('honours view types', async () => {
        expect(await find(undefined, undefined, 'ACTIVE_ONLY')).toEqual(['r4', 'R3', 'r2', 'r1']);
        expect(await find(undefined, undefined, 'DELETED_ONLY')).toEqual(['r5']);
        expect(await find(undefined, undefined, 'ALL')).toEqual(['r5', 'r4', 'R3', 'r2', 'r1']);
        expect(await find('metrics.loss < 0.15', undefined, 'ALL')).toEqual(['r5']);
      });

      it('searches several experiments at once', async () => {
        const e2 = await newExperiment();
        const other = await store.createRun({ experimentId: e2, runName: 'other', startTime: 2500 });
        const page = await store.searchRuns({ experimentIds: [expId, e2] });
        expect(runNames(page.items)).toEqual(['r4', 'R3', 'other', 'r2', 'r1']);
        expect(page.items[2]?.info.experimentId).toBe(e2);
        expect(page.items[2]?.info.runId).toBe(other.info.runId);
      });

      it('accepts max_results from 1 to 50000 and refuses others with MLflow messages', async () => {
        const one = await store.searchRuns({ experimentIds: [expId], maxResults: 1 });
        expect(runNames(one.items)).toEqual(['r4']);
        expect(one.nextPageToken).toBeTruthy();
        expect(runNames((await store.searchRuns({ experimentIds: [expId], maxResults: 50000 })).items)).toHaveLength(4);
        await expectError(
          store.searchRuns({ experimentIds: [expId], maxResults: 0 }),
          'INVALID_PARAMETER_VALUE',
          lit("Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"),
        );
        // DRIFT: MLflow's file store words this "Invalid value for request parameter max_results. It must be at
        // most 50000, but got value 50001"; the SQL store's wording is used.
        await expectError(
          store.searchRuns({ experimentIds: [expId], maxResults: 50001 }),
          'INVALID_PARAMETER_VALUE',
          storeMessage(lit("Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000")),
        );
      });

      it('pages over more than one page, returning each run exactly once in order', async () => {
        const e = await newExperiment();
        for (let i = 0; i < 7; i++) await store.createRun({ experimentId: e, startTime: BASE_TIME + (i % 3), runName: `p${i}` });
        const all = (await store.searchRuns({ experimentIds: [e] })).items.map((x) => x.info.runId);
        expect(all).toHaveLength(7);
        const seen: string[] = [];
        let pageToken: string | undefined;
        let pages = 0;
        do {
          const page = await store.searchRuns({ experimentIds: [e], maxResults: 3, pageToken });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((x) => x.info.runId));
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken && pages < 10);
        expect(seen).toEqual(all);
        expect(pages).toBeGreaterThanOrEqual(3);
      });

      it('refuses bad filters, order_by and page tokens with INVALID_PARAMETER_VALUE', async () => {
        for (const [filter, message] of [
          [`metrics.loss < 'abc'`, "Expected numeric value type for metric. Found 'abc'"],
          [`params.lr > '1'`, "Invalid comparator '>' not one of '{'!=', '=', 'LIKE', 'ILIKE'}'"],
          [`foo.bar = 'x'`, "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"],
          [`metrics.loss <`, "Invalid clause(s) in filter string: 'metrics.loss', '<'"],
          [`tags.a = 'x' OR tags.b = 'y'`, "Invalid clause(s) in filter string: 'OR'"],
          ['  ', "Invalid filter '  '. Could not be parsed."],
          [
            `attributes.nope = 'x'`,
            "Invalid attribute key 'nope' specified. Valid keys are '{'artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id', 'created', 'Created', 'run name', 'Run name', 'Run Name'}'",
          ],
        ] as const) {
          await expectError(store.searchRuns({ experimentIds: [expId], filter }), 'INVALID_PARAMETER_VALUE', message);
        }
        await expectError(
          store.searchRuns({ experimentIds: [expId], orderBy: ['metrics.loss SIDEWAYS'] }),
          'INVALID_PARAMETER_VALUE',
          "Invalid ordering key in order_by clause 'metrics.loss SIDEWAYS'.",
        );
        await expectError(store.searchRuns({ experimentIds: [expId], orderBy: ['datasets.name ASC'] }), 'INVALID_PARAMETER_VALUE', "Invalid identifier type 'dataset'");
        await expectError(
          store.searchRuns({ experimentIds: [expId], pageToken: '%%not a token%%' }),
          'INVALID_PARAMETER_VALUE',
          'Invalid page token, could not base64-decode',
        );
      });
    });

    // ------------------------------------------------------------------ metric history bulk interval
    describe('getMetricHistoryBulkInterval', () => {
      it('returns every point of the given runs when max_results covers them, tagged with run ids', async () => {
        const e = await newExperiment();
        const a = await newRun(e);
        const b = await newRun(e);
        const c = await newRun(e);
        await store.logBatch(a.info.runId, { metrics: [0, 1, 2, 3, 4].map((s) => ({ key: 'm', value: s * 10, timestamp: 100 + s, step: s })) });
        await store.logBatch(b.info.runId, { metrics: [0, 1, 2].map((s) => ({ key: 'm', value: -s, timestamp: 200 + s, step: s })) });
        await store.logBatch(c.info.runId, { metrics: [{ key: 'm', value: 7, timestamp: 1, step: 0 }] });
        const got = await store.getMetricHistoryBulkInterval([a.info.runId, b.info.runId], 'm', { maxResults: 100 });
        const norm = (xs: { runId: string; step: number; value: number; timestamp: number; key: string }[]) =>
          xs.map((x) => `${x.runId}:${x.key}:${x.step}:${x.timestamp}:${x.value}`).sort();
        expect(norm(got)).toEqual(
          norm([
            ...[0, 1, 2, 3, 4].map((s) => ({ runId: a.info.runId, key: 'm', value: s * 10, timestamp: 100 + s, step: s })),
            ...[0, 1, 2].map((s) => ({ runId: b.info.runId, key: 'm', value: -s, timestamp: 200 + s, step: s })),
          ]),
        );
        const ranged = await store.getMetricHistoryBulkInterval([a.info.runId], 'm', { startStep: 1, endStep: 3, maxResults: 100 });
        expect(ranged.map((x) => x.step).sort()).toEqual([1, 2, 3]);
        expect(await store.getMetricHistoryBulkInterval([a.info.runId], 'missing', { maxResults: 10 })).toEqual([]);
      });

      // DRIFT: MLflow bounds the sampling index by the window's length, so a window that does not
      // start at step 0 comes back nearly empty; mlf samples the window evenly on every store.
      it('samples a window that does not start at the first step evenly', async () => {
        const run = await newRun();
        const metrics = Array.from({ length: 100 }, (_, s) => ({ key: 'w', value: s, timestamp: 1000 + s, step: s }));
        await store.logBatch(run.info.runId, { metrics });
        const got = await store.getMetricHistoryBulkInterval([run.info.runId], 'w', { startStep: 50, endStep: 99, maxResults: 10 });
        expect(got.map((m) => m.step)).toEqual([50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 99]);
        expect(got.every((m) => m.runId === run.info.runId && m.value === m.step)).toBe(true);
      });

      it('samples long histories down to about max_results steps, keeping the first and last step', async () => {
        const run = await newRun();
        const id = run.info.runId;
        await store.logBatch(id, { metrics: Array.from({ length: 200 }, (_, s) => ({ key: 'm', value: s / 2, timestamp: 1000 + s, step: s })) });
        const got = await store.getMetricHistoryBulkInterval([id], 'm', { maxResults: 10 });
        const steps = got.map((x) => x.step);
        expect(steps).toContain(0);
        expect(steps).toContain(199);
        expect(got.length).toBeGreaterThanOrEqual(10);
        expect(got.length).toBeLessThanOrEqual(12);
        expect(new Set(steps).size).toBe(steps.length);
        for (const x of got) expect(x).toEqual({ runId: id, key: 'm', value: x.step / 2, timestamp: 1000 + x.step, step: x.step });
      });
    });

    // ------------------------------------------------------------------ purge
    describe('purge', () => {
      const populated = async (expId?: string) => {
        const run = await newRun(expId);
        await store.logBatch(run.info.runId, {
          metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
          params: [{ key: 'p', value: '1' }],
          tags: [{ key: 't', value: '1' }],
        });
        await store.logInputs(run.info.runId, [
          { dataset: { name: `ds-${run.info.runId}`, digest: 'dg', sourceType: 'local', source: 's' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] },
        ]);
        return run;
      };

      it('refuses purging an active run and removes nothing', async () => {
        const active = await populated();
        const deleted = await populated(active.info.experimentId);
        await store.deleteRun(deleted.info.runId);
        await expectError(
          store.purgeRuns([deleted.info.runId, active.info.runId]),
          'INVALID_PARAMETER_VALUE',
          `Run ${active.info.runId} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`,
        );
        expect((await store.getRun(active.info.runId)).data.params).toEqual([{ key: 'p', value: '1' }]);
        const stillThere = await store.getRun(deleted.info.runId);
        expect(stillThere.info.lifecycleStage).toBe('deleted');
        expect(stillThere.data.metrics).toHaveLength(1);
      });

      it('purges a deleted run fully and leaves its siblings alone', async () => {
        const keep = await populated();
        const gone = await populated(keep.info.experimentId);
        await store.deleteRun(gone.info.runId);
        const res = await store.purgeRuns([gone.info.runId]);
        expect(res.runIds).toEqual([gone.info.runId]);
        expect(res.experimentIds).toEqual([]);
        await expectError(store.getRun(gone.info.runId), 'RESOURCE_DOES_NOT_EXIST', runNotFound(gone.info.runId));
        expect(await store.getMetricHistory(keep.info.runId, 'm')).toHaveLength(1);
        const kept = await store.getRun(keep.info.runId);
        expect(kept.data.params).toEqual([{ key: 'p', value: '1' }]);
        expect(kept.inputs.datasetInputs).toHaveLength(1);
        const all = await store.searchRuns({ experimentIds: [keep.info.experimentId], viewType: 'ALL' });
        expect(all.items.map((x) => x.info.runId)).toEqual([keep.info.runId]);
      });

      it('changes nothing on a dry run of purgeRuns', async () => {
        const run = await populated();
        await store.deleteRun(run.info.runId);
        const res = await store.purgeRuns([run.info.runId], { dryRun: true });
        expect(res.runIds).toEqual([run.info.runId]);
        expect(Object.values(res.rows).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        const read = await store.getRun(run.info.runId);
        expect(read.info.lifecycleStage).toBe('deleted');
        expect(read.data.metrics).toHaveLength(1);
        expect(read.data.params).toHaveLength(1);
      });

      it('treats purging a run twice as harmless', async () => {
        const run = await populated();
        await store.deleteRun(run.info.runId);
        await store.purgeRuns([run.info.runId]);
        const again = await store.purgeRuns([run.info.runId]);
        expect(again.runIds).toEqual([]);
        await expectError(store.getRun(run.info.runId), 'RESOURCE_DOES_NOT_EXIST', runNotFound(run.info.runId));
      });

      it('refuses purging an active experiment and removes nothing', async () => {
        const run = await populated();
        const deletedExp = await newExperiment();
        await store.deleteExperiment(deletedExp);
        await expectError(
          store.purgeExperiments([deletedExp, run.info.experimentId]),
          'INVALID_PARAMETER_VALUE',
          `Experiments ['${run.info.experimentId}'] are not in the deleted lifecycle stage. Only experiments in the deleted lifecycle stage can be hard-deleted.`,
        );
        expect((await store.getExperiment(run.info.experimentId)).lifecycleStage).toBe('active');
        expect((await store.getExperiment(deletedExp)).lifecycleStage).toBe('deleted');
        expect((await store.getRun(run.info.runId)).data.metrics).toHaveLength(1);
      });

      it('purges a deleted experiment with its runs and frees its name', async () => {
        const name = uniq('purge');
        const expId = await store.createExperiment({ name, tags: [{ key: 'x', value: 'y' }] });
        const a = await populated(expId);
        const b = await populated(expId);
        await store.deleteExperiment(expId);
        const res = await store.purgeExperiments([expId]);
        expect(res.experimentIds).toEqual([expId]);
        expect([...res.runIds].sort()).toEqual([a.info.runId, b.info.runId].sort());
        await expectError(store.getExperiment(expId), 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${expId} exists`);
        await expectError(store.getRun(a.info.runId), 'RESOURCE_DOES_NOT_EXIST', runNotFound(a.info.runId));
        await expectError(store.getRun(b.info.runId), 'RESOURCE_DOES_NOT_EXIST', runNotFound(b.info.runId));
        expect(await store.getExperimentByName(name)).toBeNull();
        // SQLite may hand out the purged id again (no AUTOINCREMENT in MLflow's schema, as in MLflow), so
        // only check that nothing of the old experiment shows through.
        const reborn = await store.createExperiment({ name });
        expect((await store.getExperiment(reborn)).tags).toEqual([]);
        expect((await store.searchRuns({ experimentIds: [reborn], viewType: 'ALL' })).items).toEqual([]);
      });

      it('changes nothing on a dry run of purgeExperiments', async () => {
        const expId = await newExperiment();
        const run = await populated(expId);
        await store.deleteExperiment(expId);
        const res = await store.purgeExperiments([expId], { dryRun: true });
        expect(res.experimentIds).toEqual([expId]);
        expect(res.runIds).toEqual([run.info.runId]);
        expect((await store.getExperiment(expId)).lifecycleStage).toBe('deleted');
        expect((await store.getRun(run.info.runId)).data.params).toEqual([{ key: 'p', value: '1' }]);
      });

      it('treats purging an experiment twice as harmless', async () => {
        const expId = await newExperiment();
        await populated(expId);
        await store.deleteExperiment(expId);
        await store.purgeExperiments([expId]);
        const again = await store.purgeExperiments([expId]);
        expect(again.experimentIds).toEqual([]);
        expect(again.runIds).toEqual([]);
      });
    });

    // ------------------------------------------------------------------ atomic
    describe('atomic', () => {
      it('returns the value of fn and keeps its writes when fn succeeds', async () => {
        const run = await newRun();
        const out = await store.atomic(async (tx) => {
          await tx.logParam(run.info.runId, { key: 'p', value: '1' });
          await tx.setTag(run.info.runId, { key: 't', value: 'v' });
          return 42;
        });
        expect(out).toBe(42);
        const read = await store.getRun(run.info.runId);
        expect(read.data.params).toEqual([{ key: 'p', value: '1' }]);
        expect(userTags(read)).toEqual({ t: 'v' });
      });

      it('rolls back every write made through the view when fn throws (SQL stores; others keep what landed)', async () => {
        const run = await newRun();
        const id = run.info.runId;
        const name = uniq('atomic');
        let newRunId = '';
        await expect(
          store.atomic(async (tx) => {
            await tx.logBatch(id, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'p', value: '1' }] });
            await tx.setTag(id, { key: 't', value: 'v' });
            await tx.updateRunInfo(id, { status: 'FINISHED', endTime: BASE_TIME + 1 });
            const expId = await tx.createExperiment({ name });
            newRunId = (await tx.createRun({ experimentId: expId, startTime: BASE_TIME })).info.runId;
            throw new Error('boom inside atomic');
          }),
        ).rejects.toThrow('boom inside atomic');
        const read = await store.getRun(id);
        if (store.kind === 'sql') {
          expect(read.data.metrics).toEqual([]);
          expect(read.data.params).toEqual([]);
          expect(userTags(read)).toEqual({});
          expect(read.info.status).toBe('RUNNING');
          expect(read.info.endTime).toBeNull();
          expect(await store.getExperimentByName(name)).toBeNull();
          await expectError(store.getRun(newRunId), 'RESOURCE_DOES_NOT_EXIST', runNotFound(newRunId));
        } else {
          // No transactions here: fn ran against the store itself, so its writes landed.
          expect(read.data.params).toEqual([{ key: 'p', value: '1' }]);
          expect((await store.getExperimentByName(name))?.name).toBe(name);
        }
      });
    });
  });
}

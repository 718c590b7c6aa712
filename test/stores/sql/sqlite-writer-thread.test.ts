/**
 * SQLite's writer in a worker thread (what `mlf server` opens): writes, their rollback and MLflow's
 * error mapping are those of the synchronous connection, the file keeps MLflow's journal mode and
 * durability, and the event loop keeps turning while a write, its commit or a read that meets the
 * commit's lock waits.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import type { SqlStore } from '../../../src/stores/sql/sql-store.js';
import type { TrackingStore } from '../../../src/stores/tracking-store.js';
import { copyFixture, tempDir } from '../../support/databases.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(file: string, writerThread: boolean): Promise<TrackingStore> {
  const store = await openTrackingStore(`sqlite:///${file}`, { writerThread });
  cleanups.push(() => store.close());
  return store;
}

/** A copy of MLflow's own SQLite file (rollback journal, as MLflow leaves it). */
function mlflowFile(): string {
  const file = copyFixture('sqlite-head.db');
  cleanups.push(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  return file;
}

const batch = (n: number) => ({
  metrics: Array.from({ length: n }, (_, i) => ({ key: `m${i}`.padEnd(250, 'x'), value: i, timestamp: 1000 + i, step: i })),
  params: [{ key: 'p', value: '1' }],
  tags: [{ key: 't', value: 'v' }],
});

/** How many event-loop turns (setImmediate callbacks) ran while `work` was pending. */
async function turnsDuring(work: Promise<unknown>): Promise<number> {
  let turns = 0;
  let pending = true;
  const spin = () => {
    if (!pending) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await work.finally(() => (pending = false));
  return turns;
}

describe.each([true, false])('SQLite store, writerThread %s', (writerThread) => {
  it('logs a batch, reads it back, and rolls a refused batch back whole with MLflow\'s error', async () => {
    const store = await open(mlflowFile(), writerThread);
    const run = await store.createRun({ experimentId: '0', startTime: 1 });
    await store.logBatch(run.info.runId, batch(300));
    const got = await store.getRun(run.info.runId);
    expect(got.data.metrics).toHaveLength(300);
    expect(got.data.params).toEqual([{ key: 'p', value: '1' }]);
    // A changed param fails the batch after its metrics went in: none of them stays.
    const refused = store.logBatch(run.info.runId, { metrics: [{ key: 'late', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'p', value: '2' }], tags: [] });
    await expect(refused).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/^Changing param values is not allowed. Params were already logged=.*'key': 'p', 'old_value': '1', 'new_value': '2'/) });
    expect(await store.getMetricHistory(run.info.runId, 'late')).toEqual([]);
  });

  it("maps a database error as MLflow does (a duplicate experiment name, a driver's unique violation)", async () => {
    const store = (await open(mlflowFile(), writerThread)) as SqlStore;
    await store.createExperiment({ name: 'dup' });
    await expect(store.createExperiment({ name: 'dup' })).rejects.toMatchObject({ errorCode: 'RESOURCE_ALREADY_EXISTS' });
    const raw = store.conn.db.insertInto('experiments').values({ experiment_id: 0, name: 'again', lifecycle_stage: 'active' }).execute();
    const e = await raw.catch((x: unknown) => x);
    expect(store.dialect.isUniqueViolation(e)).toBe(true);
    expect(String((e as Error).message)).toMatch(/UNIQUE constraint failed: experiments\./);
  });

  it("keeps MLflow's rollback journal with synchronous=FULL on the writer connection", async () => {
    const store = (await open(mlflowFile(), writerThread)) as SqlStore;
    const run = await store.createRun({ experimentId: '0', startTime: 1 });
    await store.logBatch(run.info.runId, batch(10));
    const one = async (p: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${p}`).execute(store.conn.db)).rows[0]!)[0];
    expect(String(await one('journal_mode')).toLowerCase()).toBe('delete');
    expect(await one('synchronous')).toBe(2);
    expect(await one('foreign_keys')).toBe(1);
  });

  it('gives a database it creates WAL with synchronous=NORMAL on the writer connection', async () => {
    const dir = tempDir('mlf-writer-thread-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const store = (await open(path.join(dir, 'new.db'), writerThread)) as SqlStore;
    const one = async (p: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${p}`).execute(store.conn.db)).rows[0]!)[0];
    expect(String(await one('journal_mode')).toLowerCase()).toBe('wal');
    expect(await one('synchronous')).toBe(1);
  });
});

describe('SQLite writer thread and the event loop', () => {
  it('leaves the event loop free while a large batch is written and committed (the synchronous writer does not)', async () => {
    const file = mlflowFile();
    const turns: Record<string, number> = {};
    for (const writerThread of [false, true]) {
      const store = await open(file, writerThread);
      const run = await store.createRun({ experimentId: '0', startTime: 1 });
      turns[String(writerThread)] = await turnsDuring(store.logBatch(run.info.runId, batch(900)));
    }
    expect(turns.false).toBe(0);
    expect(turns.true).toBeGreaterThan(0);
  });

  it('sends a read that meets another connection\'s exclusive lock to the writer thread, which waits for it off the event loop', async () => {
    const file = mlflowFile();
    const store = await open(file, true);
    const exp = await store.createExperiment({ name: 'seen' });
    const other = new Database(file);
    cleanups.push(() => other.close());
    other.exec('begin exclusive');
    let released = false;
    const read = store.getExperiment(exp).then((e) => ({ name: e.name, released }));
    // The loop turns while the read waits; then the lock goes and the read is answered.
    await new Promise((r) => setTimeout(r, 300));
    released = true;
    other.exec('commit');
    expect(await read).toEqual({ name: 'seen', released: true });
  });
});

describe('SQLite writer thread and other writers', () => {
  it("waits for another connection's write lock, writes once it is free, and leaves the busy timeout as it was", async () => {
    const file = mlflowFile();
    const store = await open(file, true);
    const other = new Database(file);
    cleanups.push(() => other.close());
    other.exec('begin immediate');
    let released = false;
    const write = store.createExperiment({ name: 'after the lock' }).then((id) => ({ id, released }));
    await new Promise((r) => setTimeout(r, 300));
    released = true;
    other.exec('commit');
    const { id, released: wasReleased } = await write;
    expect(wasReleased).toBe(true);
    expect((await store.getExperiment(id)).name).toBe('after the lock');
    // The writer takes the lock with SQLite's busy handler off and puts it back afterwards.
    const db = (store as SqlStore).conn.db;
    const { rows } = await sql<Record<string, unknown>>`pragma busy_timeout`.execute(db);
    expect(Object.values(rows[0]!)[0]).toBe(20_000);
  });
});

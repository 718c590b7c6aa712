/**
 * Unique keys other than the primary key: a source row whose gateway secret name, or scorer name in
 * its (renumbered) experiment, is held in the target by a row with another id is refused before
 * anything is written, naming both ids; the same row under the same id is left alone. Equality is the
 * target's: MariaDB's collation takes `Judge` for `judge` (refused as names differing in case only),
 * SQLite and PostgreSQL do not.
 */
import { describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects } from '../support/databases.js';
import { count, scratch, withDb } from './db-helpers.js';
import path from 'node:path';

const { dbs, dirs } = scratch();

const secret = (id: string, name: string) => ({
  secret_id: id,
  secret_name: name,
  encrypted_value: Buffer.from([1, 2, 3]),
  wrapped_dek: Buffer.from([4, 5]),
  kek_version: 1,
  masked_value: 'sk-...abcd',
  provider: 'openai',
  created_at: 1700000000000,
  last_updated_at: 1700000000000,
});

/** Experiments named `names` (ids 1, 2, ... after Default), a run in the last; returns its id. */
async function store(uri: string, names: string[]): Promise<{ expId: number }> {
  const s = await openTrackingStore(uri);
  try {
    let id = '';
    for (const n of names) id = await s.createExperiment({ name: n });
    await s.createRun({ experimentId: id, startTime: 1700000000000, userId: 'u', runName: `run-in-${uri.length}`, tags: [] });
    return { expId: Number(id) };
  } finally {
    await s.close();
  }
}


describe('db import: unique keys other than the primary key', () => {
  for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
    it(`into ${dialect}: another row under the key is refused, nothing written; the same row is left alone`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) ctx.skip();
      const source = await createTestDatabase('sqlite');
      const target = await createTestDatabase(dialect);
      dbs.push(source, target);
      const dir = tempDir();
      dirs.push(dir);
      const idMapFile = path.join(dir, 'ids.json');

      const src = await store(source.uri, ['E']);
      const tgt = await store(target.uri, ['pad', 'E']); // E is 2 there: the source's E goes into it
      expect(tgt.expId).not.toBe(src.expId);
      await withDb(source.uri, async ({ db }) => {
        await db.insertInto('secrets').values([secret('sec-S', 'shared-key'), secret('sec-same', 'same-key')]).execute();
        await db.insertInto('scorers').values({ experiment_id: src.expId, scorer_name: 'judge', scorer_id: 'sc-S' }).execute();
      });
      await withDb(target.uri, async ({ db }) => {
        await db.insertInto('secrets').values([secret('sec-T', 'shared-key'), secret('sec-same', 'same-key')]).execute();
        await db.insertInto('scorers').values({ experiment_id: tgt.expId, scorer_name: 'judge', scorer_id: 'sc-T' }).execute();
      });
      const before = { runs: await count(target.uri, 'runs'), experiments: await count(target.uri, 'experiments') };

      const refused = importStore({ from: source.uri, to: target.uri, idMapFile }).catch((e: unknown) => e);
      const err = (await refused) as { errorCode: string; message: string };
      expect(err.errorCode).toBe('RESOURCE_CONFLICT');
      expect(err.message).toContain('2 other row(s)');
      expect(err.message).toContain('secrets (workspace, secret_name) = (default, shared-key): source secret_id=sec-S, target secret_id=sec-T');
      expect(err.message).toContain(`scorers (experiment_id, scorer_name) = (${tgt.expId}, judge): source scorer_id=sc-S, target scorer_id=sc-T`);
      expect(err.message).not.toContain('same-key');
      expect(err.message).toContain('nothing was written');
      expect({ runs: await count(target.uri, 'runs'), experiments: await count(target.uri, 'experiments') }).toEqual(before);

      // Names differing in case only: another key on SQLite and PostgreSQL, the same on MariaDB.
      await withDb(source.uri, async ({ db }) => {
        // (a secret's name cannot change: a trigger guards it; a new secret takes the case variant)
        await db.deleteFrom('secrets').where('secret_id', '=', 'sec-S').execute();
        await db.insertInto('secrets').values(secret('sec-S', 'Shared-Key')).execute();
        await db.updateTable('scorers').set({ scorer_name: 'Judge' }).where('scorer_id', '=', 'sc-S').execute();
      });
      if (dialect === 'mysql') {
        const again = (await importStore({ from: source.uri, to: target.uri, idMapFile }).catch((e: unknown) => e)) as { errorCode: string; message: string };
        expect(again.errorCode).toBe('RESOURCE_CONFLICT');
        expect(again.message).toContain('The target compares names ignoring case');
        expect(again.message).toContain('secrets (workspace, secret_name) = (default, Shared-Key) in the source and (default, shared-key) in the target (source secret_id=sec-S, target secret_id=sec-T)');
        expect(again.message).toContain(`scorers (experiment_id, scorer_name) = (${tgt.expId}, Judge) in the source and (${tgt.expId}, judge) in the target (source scorer_id=sc-S, target scorer_id=sc-T)`);
        expect(await count(target.uri, 'runs')).toBe(before.runs);
      } else {
        const r = await importStore({ from: source.uri, to: target.uri, idMapFile });
        expect(r.differences).toEqual([]);
        expect(r.rows).toMatchObject({ secrets: 1, scorers: 1, runs: 1 });
        expect(await count(target.uri, 'secrets')).toBe(3);
      }
    }, 120_000);
  }
});

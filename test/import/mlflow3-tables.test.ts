/**
 * MLflow 3's tables through `mlf db import`: a database at mlf's head with rows in every MLflow 3
 * table goes SQLite → PostgreSQL → MariaDB and reads back equal, column for column; a second import
 * adds nothing; an incremental one adds exactly the new rows; experiment ids that must change
 * (18-digit file-store ids, ids taken in the target) are followed by every experiment column; a
 * target revision without the tables is refused before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { COPIED_TABLES } from '../../src/import/tables.js';
import { TargetTables } from '../../src/import/table-copy.js';
import { verifyTables } from '../../src/import/verify.js';
import type { TableCount } from '../../src/import/model.js';
import { connectSql } from '../../src/stores/sql/connect.js';
import { Ddl } from '../../src/stores/sql/migrate/ddl.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase, type TestDialect } from '../support/databases.js';
import { FILE_REF } from './support.js';
import { MLFLOW3_TABLES, fillMlflow3 } from './mlflow3-rows.js';

type Row = Record<string, unknown>;

/** A value as text comparable across dialects: bytes as hex, booleans as 1/0, JSON re-serialized. */
function norm(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  if (/^[{[]/.test(s)) {
    try {
      return JSON.stringify(JSON.parse(s));
    } catch {
      return s;
    }
  }
  return s;
}

/** One connection per database for the reads of a test (opening one per table is slow on MariaDB). */
const conns = new Map<string, Awaited<ReturnType<typeof connectSql>>>();
async function conn(uri: string) {
  if (!conns.has(uri)) conns.set(uri, await connectSql(parseDbUri(uri)));
  return conns.get(uri)!;
}

async function readTable(uri: string, table: string): Promise<Row[]> {
  const c = await conn(uri);
  const tables = await new Ddl(c.db, c.dialect).catalog.tables(c.db);
  if (!tables.includes(table)) return [];
  return await c.db.selectFrom(table).selectAll().execute();
}

/** Every row of a table, every column, normalized and sorted; `map` rewrites a row first. */
async function tableRows(uri: string, table: string, map: (r: Row) => Row = (r) => r): Promise<string[]> {
  // Only the rows the table's entry copies (dataset inputs come with their runs, under their own checks).
  const only = COPIED_TABLES.find((t) => t.table === table)?.only;
  const rows = (await readTable(uri, table)).filter((r) => !only || only.values.includes(String(r[only.column]))).map(map);
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, norm(r[k])]))).sort();
}

async function withDb<T>(uri: string, f: (db: Awaited<ReturnType<typeof connectSql>>['db']) => Promise<T>): Promise<T> {
  const conn = await connectSql(parseDbUri(uri));
  try {
    return await f(conn.db);
  } finally {
    await conn.close();
  }
}

/** A first import writes one row per MLflow 3 row, and `inputs` also counts the runs' dataset inputs. */
async function expectFirstRows(rows: Record<string, number>, to: string): Promise<void> {
  const datasetInputs = (await readTable(to, 'inputs')).filter((r) => r.source_type === 'DATASET').length;
  for (const [t, n] of Object.entries(MLFLOW3_TABLES)) expect(rows[t], t).toBe(t === 'inputs' ? n + datasetInputs : n);
}

const CHAIN: TestDialect[] = ['sqlite', 'postgresql', 'mysql'];
const dirs: string[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const c of conns.values()) await c.close().catch(() => undefined);
  for (const db of dbs) await db.drop().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A SQLite database at head from the file-store fixture (ids renumbered), with MLflow 3 rows set `n` in experiment ref-exp-A. */
async function sqliteSource(): Promise<{ uri: string; expId: number; runId: string; renumbered: Record<string, string> }> {
  const mlruns = copyFixture('mlruns');
  dirs.push(path.dirname(mlruns));
  const source = await createTestDatabase('sqlite');
  dbs.push(source);
  const first = await importStore({ from: mlruns, to: source.uri, idMapFile: path.join(path.dirname(mlruns), 'ids.json') });
  expect(first.differences).toEqual([]);
  const fileId = FILE_REF.experiments.find((e) => e.name === 'ref-exp-A')!.experiment_id;
  expect(fileId.length).toBe(18);
  const expId = Number(first.renumbered[fileId]);
  expect(expId).toBeLessThan(2 ** 31);
  const runId = FILE_REF.runs.find((r) => r.ref_key === 'A1')!.run_id;
  await withDb(source.uri, (db) => fillMlflow3(db, expId, runId, 1));
  return { uri: source.uri, expId, runId, renumbered: first.renumbered };
}

const live = CHAIN.filter((d) => testDialects().includes(d));

describe('db import: MLflow 3 tables', async () => {
  const skip = live.length < CHAIN.length || (await Promise.all(CHAIN.map((d) => skipUnlessAvailable(d)))).some(Boolean);

  it.skipIf(skip)('SQLite → PostgreSQL → MariaDB: every row, every column; repeat adds nothing; incremental adds the new rows', async () => {
    const src = await sqliteSource();
    const pg = await createTestDatabase('postgresql');
    const my = await createTestDatabase('mysql');
    dbs.push(pg, my);
    const copied = COPIED_TABLES.map((t) => t.table);
    for (const t of Object.keys(MLFLOW3_TABLES)) expect(copied).toContain(t);

    const hops: [string, string][] = [
      [src.uri, pg.uri],
      [pg.uri, my.uri],
    ];
    for (const [from, to] of hops) {
      const r = await importStore({ from, to });
      expect(r.differences).toEqual([]);
      expect(r.renumbered).toEqual({});
      await expectFirstRows(r.rows, to);
      for (const t of copied) expect(await tableRows(to, t), t).toEqual(await tableRows(from, t));
      // spans.duration_ns is computed by the target, not copied: it holds end - start there too.
      const spans = await readTable(to, 'spans');
      expect(spans.map((s) => Number(s.duration_ns))).toEqual([250, 250]);
      const again = await importStore({ from, to });
      expect(again.rows).toEqual({});
      expect(again.differences).toEqual([]);
    }

    // New rows in the source: the next import brings exactly those.
    await withDb(src.uri, (db) => fillMlflow3(db, src.expId, src.runId, 2));
    for (const [from, to] of hops) {
      const r = await importStore({ from, to });
      expect(r.differences).toEqual([]);
      expect(r.rows).toEqual(MLFLOW3_TABLES);
      for (const t of copied) expect(await tableRows(to, t), t).toEqual(await tableRows(from, t));
    }
  }, 300_000);

  for (const dialect of live) {
    it.skipIf(skip)(`experiment ids taken in a ${dialect} target are renumbered and every MLflow 3 experiment column follows`, async () => {
      const src = await sqliteSource();
      const target = await createTestDatabase(dialect);
      dbs.push(target);
      // Take the source's experiment ids in the target with experiments of other names.
      const blocker = tempDir();
      dirs.push(blocker);
      const store = await openTrackingStore(target.uri);
      try {
        for (let i = 0; i <= src.expId; i++) await store.createExperiment({ name: `other-${i}` });
      } finally {
        await store.close();
      }

      const r = await importStore({ from: src.uri, to: target.uri, idMapFile: path.join(blocker, 'ids.json') });
      expect(r.differences).toEqual([]);
      const newId = Number(r.renumbered[String(src.expId)]);
      expect(newId).toBeGreaterThan(0);
      expect(newId).not.toBe(src.expId);
      await expectFirstRows(r.rows, target.uri);
      const move = (r: Row): Row => {
        const out = { ...r };
        if ('experiment_id' in out && out.experiment_id !== null && Number(out.experiment_id) === src.expId) out.experiment_id = newId;
        for (const [type, id] of [
          ['source_type', 'source_id'],
          ['destination_type', 'destination_id'],
        ]) {
          if (out[type!] === 'experiment' && out[id!] === String(src.expId)) out[id!] = String(newId);
        }
        return out;
      };
      for (const t of Object.keys(MLFLOW3_TABLES)) {
        const got = await tableRows(target.uri, t);
        const want = await tableRows(src.uri, t, move);
        expect(got, t).toEqual(want);
      }
      const again = await importStore({ from: src.uri, to: target.uri, idMapFile: path.join(blocker, 'ids3.json') });
      expect(again.rows).toEqual({});
    }, 120_000);
  }

  it('refuses a --to-revision without tables the source has rows in, writing nothing', async () => {
    const src = await sqliteSource();
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 't.db');
    await expect(importStore({ from: src.uri, to: `sqlite:///${file}`, toRevision: 'f5a4f2784254' })).rejects.toMatchObject({
      errorCode: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/logged_models, .*spans.*revision f5a4f2784254.*Nothing was written/),
    });
    // 3.0's first revision has logged models but no traces' spans or assessments.
    await expect(importStore({ from: src.uri, to: `sqlite:///${file}`, toRevision: '400f98739977' })).rejects.toMatchObject({
      message: expect.not.stringContaining('logged_models'),
    });
    expect(fs.existsSync(file) ? fs.statSync(file).size : 0).toBe(0);
  });

  it('verification names a table whose rows fall short, per experiment or in total', async () => {
    const src = await sqliteSource();
    const c = await conn(src.uri);
    const ctx = { db: c.db, dialect: c.dialect, dryRun: false, empty: false };
    const counts = new Map<string, TableCount>([
      ['spans', { total: 3, byExperiment: new Map([[String(src.expId), 3]]) }],
      ['jobs', { total: 2 }],
      ['assessments', { total: 1 }],
    ]);
    const diffs = await verifyTables(c.db, new TargetTables(ctx), counts, new Map([[String(src.expId), src.expId]]));
    expect(diffs).toEqual([`experiment ${src.expId}: spans source 3, target 2`, 'table jobs: source 2, target 1']);
  });
});

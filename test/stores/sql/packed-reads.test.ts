/**
 * Packed reads (SqlDialect.packRows, issue 18): a page's child rows and a metric history come
 * through the driver as one text value where the dialect can keep every value exact. Checked
 * against the same reads unpacked, with doubles and text that a careless packing would change.
 */
import { describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { loadDialect } from '../../../src/stores/sql/dialects/index.js';
import { concatPackedNumbers, jsonPackedRows, parsePackedNumbers } from '../../../src/stores/sql/dialects/common.js';
import type { TrackingStore } from '../../../src/stores/tracking-store.js';
import { createTestDatabase, skipUnlessAvailable, testDialects } from '../../support/databases.js';

describe('packed numbers', () => {
  it('reads numbers, booleans and NULLs back from the packed text', () => {
    const rows = parsePackedNumbers('0.30000000000000004,1700000000000,-3,f;NaN,,0,t;-Infinity,5e-324,1.7976931348623157e+308,;-0,Infinity,12,t', 4);
    expect(rows).toEqual([
      [0.30000000000000004, 1700000000000, -3, false],
      [NaN, null, 0, true],
      [-Infinity, 5e-324, 1.7976931348623157e308, null],
      [-0, Infinity, 12, true],
    ]);
    expect(Object.is(rows[3]![0], -0)).toBe(true);
    expect(parsePackedNumbers('', 3)).toEqual([]);
    expect(parsePackedNumbers('7', 1)).toEqual([[7]]);
  });

  it('orders inside the aggregate, once, by the columns given', () => {
    expect(concatPackedNumbers()('select a, b from t', ['a', 'b'], ['b', 'a'])).toBe(
      `select string_agg(concat(s."a", ',', s."b"), ';' order by s."b", s."a") from (select a, b from t) s`,
    );
    expect(jsonPackedRows('json_group_array', 'json_array')('select "x" from t', ['x'], [])).toBe('select json_group_array(json_array(s."x")) from (select "x" from t) s');
  });
});

const DOUBLES = [0.1 + 0.2, 1 / 3, 5e-324, -1.5e300, 123456789.12345678, 2 ** 53 + 2, 1e21, NaN, Infinity, -Infinity, 7];
const TEXTS = ['a,b;c', '"quoted"', 'back\\slash', 'new\nline\ttab', 'é漢字🙂', '', '\u0001', '[1, 2]', 'null', 'x'.repeat(5000)];

/** The store's reads with the dialect's packing switched off for the length of `fn`. */
async function unpacked<T>(dialect: string, fn: () => Promise<T>): Promise<T> {
  const d = await loadDialect(dialect as never);
  const saved = d.packRows;
  d.packRows = undefined;
  try {
    return await fn();
  } finally {
    d.packRows = saved;
  }
}

async function history(store: TrackingStore, run: string) {
  return store.getMetricHistory(run, 'm');
}

describe('packed reads give what unpacked reads give', () => {
  for (const dialect of testDialects()) {
    it(`on ${dialect}: awkward doubles in a history and awkward text in a page of runs`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) return ctx.skip();
      const db = await createTestDatabase(dialect);
      const store = await openTrackingStore(db.uri);
      try {
        const exp = await store.createExperiment({ name: 'packed' });
        const run = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
        // Logged in reverse so the read must sort; two points share a step to exercise the tie-breaks.
        const points = DOUBLES.map((value, i) => ({ key: 'm', value, timestamp: 1_700_000_000_000 + (i % 3), step: i === 1 ? 0 : i - 2 ** 40 * (i % 2) }));
        await store.logBatch(run, { metrics: [...points].reverse() });
        const runs: string[] = [];
        for (const [i, text] of TEXTS.entries()) {
          const id = (await store.createRun({ experimentId: exp, startTime: 10 + i })).info.runId;
          runs.push(id);
          await store.logBatch(id, {
            params: [{ key: `p${i}`, value: text }],
            tags: [{ key: 'note', value: text }, { key: `t/${i}: x-y.z`, value: 'v' }],
            metrics: [{ key: 'latest', value: DOUBLES[i]!, timestamp: 3, step: 1 }],
          });
        }
        const packedHistory = await history(store, run);
        expect(packedHistory).toEqual(await unpacked(dialect, () => history(store, run)));
        expect(packedHistory.map((p) => p.value)).toEqual(
          [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value).map((p) => p.value),
        );
        const search = () => store.searchRuns({ experimentIds: [exp], orderBy: ['metrics.latest DESC'] });
        const page = await search();
        expect(page).toEqual(await unpacked(dialect, search));
        const notes = page.items.map((r) => r.data.tags.find((t) => t.key === 'note')?.value).filter((v) => v !== undefined);
        expect(notes.sort()).toEqual([...TEXTS].sort());
      } finally {
        await store.close();
        await db.drop();
      }
    });
  }

  it('on sqlite: a value JSON cannot hold (a BLOB another writer stored) is read unpacked', async () => {
    const db = await createTestDatabase('sqlite');
    const store = await openTrackingStore(db.uri);
    try {
      const exp = await store.createExperiment({ name: 'blob' });
      const run = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
      await store.logBatch(run, { tags: [{ key: 'b', value: 'text' }] });
      const { default: Database } = await import('better-sqlite3');
      const raw = new Database(db.uri.replace(/^sqlite:\/\/\//, ''));
      raw.prepare(`update tags set value = x'00ff' where run_uuid = ? and key = 'b'`).run(run);
      raw.close();
      const search = () => store.searchRuns({ experimentIds: [exp] });
      const page = await search();
      expect(page).toEqual(await unpacked('sqlite', search));
      expect(page.items[0]!.data.tags.find((t) => t.key === 'b')?.value).toEqual(Buffer.from([0, 255]));
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

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
import { metricPointsJson, metricToJson } from '../../../src/tracking/rest-json.js';
import { metricOfKey } from '../../../src/stores/sql/rows.js';

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

describe('metricPointsJson', () => {
  const key = 'loss "x"\\ ü';
  const decode = (one: string) => metricOfKey(key).values(parsePackedNumbers(one, 4)[0]!);
  const text =
    '0.30000000000000004,1700000000000,-3,f;0,5,6,t;1.7976931348623157e+308,1,2,f;-1.7976931348623157e+308,1,2,f;1e+308,1,1,f;' +
    '-0,1,1,f;1e-05,1,1,f;1e+15,2,2,f;-4.5,3,-7,f;NaN,4,4,f;Infinity,4,5,f;5e-324,,9,f;7,8,,;12,9,10,f';

  it('writes the items metricToJson gives, special points by its rules', () => {
    const points = parsePackedNumbers(text, 4).map((v) => metricOfKey(key).values(v));
    const pieces = metricPointsJson(key, text, decode);
    expect(JSON.parse(`[${pieces.join('')}]`)).toEqual(JSON.parse(JSON.stringify(points.map(metricToJson))));
    expect(JSON.parse(`[${pieces.join('')}]`).map((m: { value: unknown }) => m.value)).toEqual([
      0.30000000000000004, 'NaN', 'Infinity', '-Infinity', 1e308, 0, 1e-5, 1e15, -4.5, 'NaN', 'Infinity', 5e-324, 7, 12,
    ]);
    // Plain points keep the database's spelling: nothing parsed and printed again.
    expect(pieces.join('')).toContain(`{"key":${JSON.stringify(key)},"value":1e-05,"timestamp":1,"step":1}`);
  });

  it('comes in pieces of about 16 kB that join into one list, and nothing for no points', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `${i / 3},${1_700_000_000_000 + i},${i},f`).join(';');
    const pieces = metricPointsJson('m', many, decode);
    expect(pieces.length).toBeGreaterThan(30);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2 * 16 * 1024);
    const items = JSON.parse(`[${pieces.join('')}]`);
    expect(items).toHaveLength(10_000);
    expect(items[9999]).toEqual({ key: 'm', value: 9999 / 3, timestamp: 1_700_000_009_999, step: 9999 });
    expect(metricPointsJson('m', '', decode)).toEqual([]);
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
        // Where the store writes a history's JSON itself (PostgreSQL), it is metricToJson's to the value.
        const written = await store.getMetricHistoryJson?.(run, 'm');
        if (dialect === 'postgresql') expect(written).toBeDefined();
        if (written) {
          expect(JSON.parse(`[${written.join('')}]`)).toEqual(JSON.parse(JSON.stringify(packedHistory.map(metricToJson))));
          expect(await store.getMetricHistoryJson!(run, 'M')).toEqual([]);
        }
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

/**
 * Where a dialect declares `eqIsExact`, a metric history reads only the points' columns and gives
 * each point the key asked for. That is right only if `key = ?` there matches nothing but the very
 * same text: checked with keys that differ by case and by a trailing space, on those dialects.
 */
import { describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { loadDialect } from '../../../src/stores/sql/dialects/index.js';
import { createTestDatabase, skipUnlessAvailable, testDialects } from '../../support/databases.js';

describe('metric history keys', () => {
  it('declares exact text equality on SQLite and PostgreSQL only', async () => {
    expect((await loadDialect('sqlite')).eqIsExact).toBe(true);
    expect((await loadDialect('postgresql')).eqIsExact).toBe(true);
    expect((await loadDialect('mysql')).eqIsExact).toBeFalsy();
    expect((await loadDialect('mssql')).eqIsExact).toBeFalsy();
  });

  for (const dialect of testDialects().filter((d) => d === 'sqlite' || d === 'postgresql')) {
    it(`reads each key's own points on ${dialect}`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) return ctx.skip();
      const db = await createTestDatabase(dialect);
      const store = await openTrackingStore(db.uri);
      try {
        const exp = await store.createExperiment({ name: 'keys' });
        const run = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
        const keys = ['loss', 'Loss', 'loss '];
        await store.logBatch(run, { metrics: keys.flatMap((key, k) => [0, 1].map((step) => ({ key, value: k * 10 + step, timestamp: 5, step }))) });
        for (const [k, key] of keys.entries()) {
          expect(await store.getMetricHistory(run, key)).toEqual([0, 1].map((step) => ({ key, value: k * 10 + step, timestamp: 5, step })));
        }
      } finally {
        await store.close();
        await db.drop();
      }
    });
  }
});

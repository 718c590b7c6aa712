/**
 * gc's delete order checked against the database's own catalog at mlf's head, on each dialect: every
 * foreign key into a table a purge deletes from either acts by itself (ON DELETE CASCADE / SET NULL)
 * or has its child table deleted earlier in the same purge. A new MLflow revision whose table points
 * at experiments, runs or traces without an action fails here until purge-tables.ts has its entry.
 */
import { describe, expect, it } from 'vitest';
import { HEAD_REVISION } from '../../src/stores/sql/migrate/index.js';
import { planFor } from '../../src/stores/sql/purge-tables.js';
import { EXPERIMENT_TABLES, RUN_TABLES } from '../../src/stores/sql/purge.js';
import { describeAtHead } from './support.js';

/** The tables an experiment purge deletes from, in order: its runs' rows, then its own. */
function deleteOrder(): string[] {
  const plan = planFor(HEAD_REVISION);
  return [...plan.run([]).map((t) => t.table), ...RUN_TABLES, ...plan.experiment([]).map((t) => t.table), ...EXPERIMENT_TABLES];
}

describe('the purge order at head', () => {
  it('deletes each table of the plan at least once, experiments last', () => {
    const order = deleteOrder();
    expect(order.at(-1)).toBe('experiments');
    for (const t of planFor(HEAD_REVISION).tables) expect(order).toContain(t);
  });
});

await describeAtHead((dialect) => `foreign keys into purged tables on ${dialect}`, (live) => {
  it('either act by themselves or have their child table purged before the parent', async () => {
    const order = deleteOrder();
    const cat = live.conn.dialect.ddl.catalog;
    const problems: string[] = [];
    let checked = 0;
    for (const child of await cat.tables(live.conn.db)) {
      for (const fk of await cat.foreignKeys(live.conn.db, child)) {
        const lastParent = order.lastIndexOf(fk.refTable);
        if (lastParent < 0 || fk.refTable === child) continue;
        checked++;
        if (fk.onDelete === 'CASCADE' || fk.onDelete === 'SET NULL') continue;
        const firstChild = order.indexOf(child);
        if (firstChild < 0 || firstChild > lastParent) problems.push(`${child}(${fk.columns.join(', ')}) → ${fk.refTable}: ${fk.onDelete}`);
      }
    }
    // At head the purged tables are referenced from about twenty places; an empty catalog proves nothing.
    expect(checked).toBeGreaterThan(15);
    expect(problems).toEqual([]);
  });
}, 120_000);

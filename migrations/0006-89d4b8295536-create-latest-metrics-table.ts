/**
 * 89d4b8295536: the latest_metrics table, filled from metrics with the latest point of each
 * (run, key): highest step, then highest timestamp, then highest value, as MLflow computes it.
 */
import { sql } from 'kysely';
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { runFk } from './0000-initial-tables.js';

export const latestMetrics6: TableSpec = {
  name: 'latest_metrics',
  columns: [
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.double, { nullable: false }),
    col('timestamp', T.bigint),
    col('step', T.bigint, { nullable: false }),
    col('is_nan', T.boolean, { nullable: false }),
    col('run_uuid', T.varchar(32), { nullable: false }),
  ],
  primaryKey: { name: 'latest_metric_pk', columns: ['key', 'run_uuid'] },
  foreignKeys: [runFk],
};

const migration: Migration = {
  revision: '89d4b8295536',
  downRevision: '7ac759974ad8',
  slug: 'create-latest-metrics-table',
  async up({ db, ddl, log }) {
    await ddl.createTable(latestMetrics6);
    const r = sql.ref;
    // One INSERT ... SELECT; NOT EXISTS makes it re-runnable where DDL is not transactional.
    const res = await sql`
      insert into ${sql.table('latest_metrics')} (${r('key')}, ${r('value')}, ${r('timestamp')}, ${r('step')}, ${r('is_nan')}, ${r('run_uuid')})
      select m.${r('key')}, max(m.${r('value')}), m.${r('timestamp')}, m.${r('step')}, m.${r('is_nan')}, m.${r('run_uuid')}
      from ${sql.table('metrics')} m
      join (
        select m2.${r('run_uuid')} as run_uuid, m2.${r('key')} as mkey, m2.${r('step')} as step, max(m2.${r('timestamp')}) as ts
        from ${sql.table('metrics')} m2
        join (
          select ${r('run_uuid')} as run_uuid, ${r('key')} as mkey, max(${r('step')}) as step
          from ${sql.table('metrics')} group by ${r('run_uuid')}, ${r('key')}
        ) s on s.run_uuid = m2.${r('run_uuid')} and s.mkey = m2.${r('key')} and s.step = m2.${r('step')}
        group by m2.${r('run_uuid')}, m2.${r('key')}, m2.${r('step')}
      ) t on t.run_uuid = m.${r('run_uuid')} and t.mkey = m.${r('key')} and t.step = m.${r('step')} and t.ts = m.${r('timestamp')}
      where not exists (
        select 1 from ${sql.table('latest_metrics')} lm where lm.${r('run_uuid')} = m.${r('run_uuid')} and lm.${r('key')} = m.${r('key')}
      )
      group by m.${r('run_uuid')}, m.${r('key')}, m.${r('step')}, m.${r('timestamp')}, m.${r('is_nan')}`.execute(db);
    const n = Number(res.numAffectedRows ?? 0);
    if (n > 0) log(`  latest_metrics: ${n} rows from metrics`);
  },
};
export default migration;

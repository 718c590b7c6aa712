/**
 * Search SQL that plans well on a database without statistics (issue 18): on PostgreSQL each
 * filter's EXISTS is fenced so it stays a per-run index probe; on MySQL a child row's key is
 * compared plainly (usable by the (key, run_uuid) primary key) as well as case-sensitively.
 * Compiled with Kysely's own compilers, no server needed.
 */
import { describe, expect, it } from 'vitest';
import {
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { postgresDialect } from '../../../src/stores/sql/dialects/postgres/index.js';
import { mysqlDialect } from '../../../src/stores/sql/dialects/mysql/index.js';
import { joinOrderRows, runFilterConditions, runOrderBy } from '../../../src/stores/sql/search-sql.js';
import { parseRunFilter, parseRunOrderBy } from '../../../src/tracking/search/parse.js';
import type { SqlDialect } from '../../../src/stores/sql/dialects/dialect.js';

function compiled(d: SqlDialect, filter: string, orderBy: string[]): string {
  const pg = d.name === 'postgresql';
  const db = new Kysely<any>({
    dialect: {
      createAdapter: () => (pg ? new PostgresAdapter() : new MysqlAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => (pg ? new PostgresIntrospector(k) : new MysqlIntrospector(k)),
      createQueryCompiler: () => (pg ? new PostgresQueryCompiler() : new MysqlQueryCompiler()),
    },
  });
  let q = db.selectFrom('runs').select(['runs.run_uuid']).where('runs.experiment_id', 'in', [1]);
  q = joinOrderRows(q, d, parseRunOrderBy(orderBy));
  for (const c of runFilterConditions(d, parseRunFilter(filter), parseRunOrderBy(orderBy))) q = q.where(c as never);
  return q.orderBy(sql.join(runOrderBy(d, parseRunOrderBy(orderBy)))).compile().sql.replace(/\s+/g, ' ');
}

describe('search SQL without planner statistics', () => {
  it('fences every filter EXISTS on PostgreSQL', () => {
    const text = compiled(postgresDialect, "metrics.loss > 1 and params.lr = '0.1' and tags.t != 'x'", ['metrics.acc DESC']);
    const exists = text.match(/exists \(select 1 [^()]*(\([^()]*\)[^()]*)*\)/g) ?? [];
    expect(exists).toHaveLength(3);
    for (const e of exists) expect(e).toMatch(/ offset 0\)$/);
  });

  it('leaves MySQL EXISTS unfenced (it has no bare OFFSET) and compares keys where an index can use them', () => {
    const text = compiled(mysqlDialect, "metrics.loss > 1 and params.lr = '0.1'", ['metrics.acc DESC', 'params.model ASC']);
    expect(text).not.toMatch(/offset 0/);
    expect(text).toMatch(/`m`\.`key` = \? and binary `m`\.`key` = \?/);
    expect(text).toMatch(/`kv`\.`key` = \? and binary `kv`\.`key` = \?/);
    expect(text).not.toMatch(/where `m`\.`run_uuid` = `runs`\.`run_uuid` and binary/);
  });

  it('orders MySQL runs by metric, param and tag through one LEFT JOIN each, no subquery per sort term', () => {
    const text = compiled(mysqlDialect, '', ['metrics.loss DESC', 'params.lr ASC', 'tags.t DESC']);
    expect(text).toMatch(/left join `latest_metrics` as `o0` on `o0`\.`run_uuid` = runs\.run_uuid and `o0`\.`key` = \? and binary `o0`\.`key` = \?/);
    expect(text).toMatch(/left join `params` as `o1` on /);
    expect(text).toMatch(/left join `tags` as `o2` on /);
    expect(text.split(' order by ')[1]).not.toMatch(/select/);
  });

  it('orders PostgreSQL runs through one fenced LATERAL probe per metric, param or tag (a plain join there would be planned without statistics)', () => {
    const text = compiled(postgresDialect, '', ['metrics.loss DESC', 'params.lr ASC']);
    expect(text).toMatch(/left join lateral \(select run_uuid, is_nan, value from "latest_metrics" "o0" where "o0"\."run_uuid" = runs\.run_uuid and "o0"\."key" = \$\d+ and "o0"\."key" = \$\d+ offset 0\) as "o0" on true/);
    expect(text).toMatch(/left join lateral \(select run_uuid, value from "params" "o1" where .* offset 0\) as "o1" on true/);
    expect(text.split(' order by ')[1]).not.toMatch(/select/);
  });

  it('reads a filter on the metric, param or tag the order joined from the joined row, not a second probe', () => {
    for (const d of [postgresDialect, mysqlDialect]) {
      const text = compiled(d, "metrics.loss > 1 and params.lr != '0.1' and metrics.acc < 2", ['metrics.loss DESC', 'params.lr ASC']);
      const q = d.name === 'postgresql' ? '"' : '`';
      // One probe of latest_metrics for the order (o0), one EXISTS for acc; params only through o1.
      expect(text.match(/latest_metrics/g)).toHaveLength(2);
      expect(text.match(/params/g)).toHaveLength(1);
      expect(text).toContain(`${q}o0${q}.${q}is_nan${q} = `);
      expect(text).toContain(`${q}o0${q}.${q}value${q} > `);
      expect(text).toMatch(new RegExp(`not \\((binary )?${q}o1${q}\\.${q}value${q} = `));
    }
  });
});

/**
 * Search on SQLite reads one experiment's runs through mlf's runs.experiment_id index (issue 18):
 * MLflow's SQLite schema has none, so without it every search scans every run of every experiment.
 * Every statement the store prepares for a search is planned here; none may scan a whole table.
 * `upgrade` adds the index (also at the target); a plain open does not. A run's metric history reads
 * one range of mlf's metrics index, not every point of that key in every run.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { connectSql } from '../../../src/stores/sql/connect.js';
import { upgrade } from '../../../src/stores/sql/migrate/index.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { tempDir } from '../../support/databases.js';

const INDEX = 'mlf_runs_experiment_id';
const hasIndex = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`select count(*) as n from sqlite_master where type = 'index' and name = ?`).get(INDEX) as { n: number };
  } finally {
    db.close();
  }
};
const dropIndex = (file: string) => {
  const db = new Database(file);
  db.exec(`drop index ${INDEX}`);
  db.close();
};

describe('SQLite search plans', () => {
  let file: string;
  let exp: string;

  beforeAll(async () => {
    file = path.join(tempDir(), 'mlflow.db');
    const store = await openTrackingStore(`sqlite:///${file}`);
    const exps: string[] = [];
    for (let e = 0; e < 5; e++) exps.push(await store.createExperiment({ name: `e${e}` }));
    exp = exps[2]!;
    await store.close();
    const db = new Database(file);
    db.exec(`with recursive s(v) as (select 0 union all select v + 1 from s where v < 1999)
      insert into runs (run_uuid, name, status, start_time, lifecycle_stage, artifact_uri, experiment_id)
      select printf('%032d', v), 'r', 'FINISHED', v, 'active', '/a', ${Number(exps[0])} + v % 5 from s`);
    db.exec(`insert into params (key, value, run_uuid) select 'p' || k.v, 'v', r.run_uuid from runs r, (select 1 as v union all select 2) k`);
    db.exec(`insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) select 'm', (cast(substr(run_uuid, 29) as integer) % 10) * 1.0, 0, 0, 0, run_uuid from runs`);
    // Five points of 'm' in every run, the points of one run's history written out of order.
    db.exec(`insert into metrics (key, value, timestamp, step, is_nan, run_uuid) select 'm', k.v * 1.0, 100 - k.v, 4 - k.v, 0, r.run_uuid from runs r, (select 0 as v union all select 1 union all select 2 union all select 3 union all select 4) k`);
    db.close();
  });
  afterEach(() => vi.restoreAllMocks());

  it('a new store has the index, and every statement of a search reads by index, none scans a table', async () => {
    expect(hasIndex(file).n).toBe(1);
    const prepared: string[] = [];
    const prepare = Database.prototype.prepare;
    vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (this: Database.Database, text: string) {
      prepared.push(text);
      return prepare.call(this, text);
    });
    const store = await openTrackingStore(`sqlite:///${file}`);
    try {
      const page = await store.searchRuns({ experimentIds: [exp], filter: "metrics.m > 4 and params.p1 = 'v'", orderBy: ['metrics.m DESC'], maxResults: 10 });
      expect(page.items).toHaveLength(10);
      expect(page.items.every((r) => r.info.experimentId === exp && r.data.params.length === 2)).toBe(true);
    } finally {
      await store.close();
    }
    vi.restoreAllMocks();
    const searches = prepared.filter((s) => /\bfrom "?(runs|params|tags|latest_metrics)"?/i.test(s));
    expect(searches.some((s) => /from "runs"/.test(s))).toBe(true);
    // The metric order reads its row through one LEFT JOIN probe, not two subqueries per run.
    const page = searches.filter((s) => /from "runs"/.test(s) && / order by /.test(s));
    expect(page).toHaveLength(1);
    expect(page[0]).toMatch(/left join "latest_metrics" as "o0"/);
    expect(page[0]!.split(' order by ')[1]).not.toMatch(/select/);
    const db = new Database(file, { readonly: true });
    try {
      for (const s of searches) {
        const plan = (db.prepare(`explain query plan ${s}`).all(...Array<null>((s.match(/\?/g) ?? []).length).fill(null)) as { detail: string }[]).map((r) => r.detail);
        expect(plan.filter((d) => /^SCAN /.test(d)), s).toEqual([]);
        if (/from "runs"/.test(s)) expect(plan.join('\n')).toMatch(/SEARCH runs USING INDEX mlf_runs_experiment_id/);
      }
    } finally {
      db.close();
    }
  });

  it("a run's metric history reads one range of mlf_metrics_history, in order, whatever else has the key", async () => {
    const prepared: string[] = [];
    const prepare = Database.prototype.prepare;
    vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (this: Database.Database, text: string) {
      prepared.push(text);
      return prepare.call(this, text);
    });
    const run = '0'.repeat(28) + '0042';
    const store = await openTrackingStore(`sqlite:///${file}`);
    try {
      expect((await store.getMetricHistory(run, 'm')).map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await store.close();
    }
    vi.restoreAllMocks();
    const history = prepared.filter((s) => /from "metrics"/.test(s));
    expect(history).toHaveLength(1);
    const db = new Database(file, { readonly: true });
    try {
      const plan = (db.prepare(`explain query plan ${history[0]}`).all(run, 'm') as { detail: string }[]).map((r) => r.detail);
      // Not MLflow's primary key led by the key (it read all 10,000 points of 'm' here), and no sort.
      expect(plan).toEqual(['SEARCH metrics USING COVERING INDEX mlf_metrics_history (run_uuid=? AND key=?)']);
    } finally {
      db.close();
    }
  });

  it('a plain open leaves a database without the index as it is; upgrade at the target adds it', async () => {
    dropIndex(file);
    const store = await openTrackingStore(`sqlite:///${file}`);
    expect((await store.searchRuns({ experimentIds: [exp], maxResults: 5 })).items).toHaveLength(5);
    await store.close();
    expect(hasIndex(file).n).toBe(0);
    const conn = await connectSql(parseDbUri(`sqlite:///${file}`));
    try {
      expect((await upgrade(conn)).applied).toEqual([]);
    } finally {
      await conn.close();
    }
    expect(hasIndex(file).n).toBe(1);
  });
});

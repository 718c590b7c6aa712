/**
 * Purging at MLflow 3's later revisions (76601a5f987d … 7c4d9e2f1a86): an experiment's issues, label
 * schemas and review queues (with their items, users and label-schema links) go with it; a purged run's
 * issues stay with source_run_id set to NULL (the FK's ON DELETE SET NULL, as in MLflow); budget
 * policies and the MCP registry belong to no experiment or run and stay (a guardrail goes only with the
 * scorer it runs, see purge-tables.ts). On SQLite,
 * PostgreSQL and MariaDB, with a clean FK check and dry-run counts per table.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { HEAD_REVISION } from '../../src/stores/sql/migrate/index.js';
import { tablesAt } from '../../src/stores/sql/migrate/revisions.js';
import { planFor } from '../../src/stores/sql/purge-tables.js';
import { purgeExperimentsSql, purgeRunsSql } from '../../src/stores/sql/purge.js';
import type { Db } from '../../src/stores/sql/dialects/dialect.js';
import { addExperiment, addRuns, describeAtHead } from './support.js';

const LATE_TABLES = ['issues', 'label_schemas', 'review_queues', 'review_queue_items', 'review_queue_users', 'review_queue_label_schemas'];
const uid = () => crypto.randomUUID();

async function addIssue(db: Db, experimentId: number, sourceRun: string | null): Promise<string> {
  const id = uid();
  await db
    .insertInto('issues')
    .values({ issue_id: id, experiment_id: experimentId, name: 'drift', description: 'd', status: 'open', source_run_id: sourceRun, created_timestamp: 1, last_updated_timestamp: 1 })
    .execute();
  return id;
}

/** A label schema and a review queue with one item, one user and the schema linked. */
async function addReview(db: Db, experimentId: number): Promise<{ schema: string; queue: string }> {
  const schema = uid();
  const queue = uid();
  await db
    .insertInto('label_schemas')
    .values({ schema_id: schema, experiment_id: experimentId, name: `s-${schema}`, type: 'FEEDBACK', input_type: 'TEXT', input_config: '{}', created_time: 1, last_update_time: 1 })
    .execute();
  await db
    .insertInto('review_queues')
    .values({ queue_id: queue, experiment_id: experimentId, name: `Q-${queue}`, name_key: `q-${queue}`, queue_type: 'CUSTOM', creation_time_ms: 1, last_update_time_ms: 1 })
    .execute();
  await db.insertInto('review_queue_items').values({ queue_id: queue, item_type: 'TRACE', item_id: `tr-${queue}`, status: 'PENDING', creation_time_ms: 1, last_update_time_ms: 1 }).execute();
  await db.insertInto('review_queue_users').values({ queue_id: queue, user_id: 'alice' }).execute();
  await db.insertInto('review_queue_label_schemas').values({ queue_id: queue, schema_id: schema }).execute();
  return { schema, queue };
}

const values = async (db: Db, table: string, column: string): Promise<(string | null)[]> =>
  (await db.selectFrom(table).select(column).execute()).map((r) => (r as Record<string, string | null>)[column] ?? null).sort();

describe('the purge plan at the later MLflow 3 revisions', () => {
  it('adds the experiment-owned tables from the revisions that create them', () => {
    expect(tablesAt(HEAD_REVISION)).toEqual(expect.arrayContaining(LATE_TABLES));
    expect(planFor('7d34483879f0').tables).toContain('issues');
    expect(planFor('7d34483879f0').tables).not.toContain('review_queues');
    expect(planFor('b7e4c1a90f23').tables).toEqual(expect.arrayContaining(LATE_TABLES));
    for (const t of ['budget_policies', 'guardrail_configs', 'mcp_servers', 'workspaces']) expect(planFor('7c4d9e2f1a86').tables).not.toContain(t);
    // Only guardrails built on a purged experiment's scorer go (scorer_versions has no ON DELETE there).
    expect(planFor('ae8bbe7743c9').tables).toContain('guardrails');
  });
});

await describeAtHead((dialect) => `purge of issues, labels and review queues on ${dialect}`, (live, dialect) => {
  it('removes what a purged experiment owns, nulls a purged run in its issues, keeps the rest', async () => {
    const db = live.conn.db;
    const gone = await addExperiment(db, { stage: 'deleted' });
    const kept = await addExperiment(db);
    const [r1] = await addRuns(db, 1, { experimentId: gone.id });
    const [r2] = await addRuns(db, 1, { experimentId: kept.id });
    const goneIssue = await addIssue(db, gone.id, r1!);
    const keptIssue = await addIssue(db, kept.id, r2!);
    const otherIssue = await addIssue(db, kept.id, null);
    const goneReview = await addReview(db, gone.id);
    const keptReview = await addReview(db, kept.id);
    await db
      .insertInto('budget_policies')
      .values({ budget_policy_id: 'b1', budget_unit: 'USD', budget_amount: 10, duration_unit: 'DAYS', duration_value: 1, target_scope: 'GLOBAL', budget_action: 'ALERT', created_at: 1, last_updated_at: 1 })
      .execute();
    await db.insertInto('mcp_servers').values({ name: 'srv', created_at: 1, last_updated_at: 1 }).execute();

    const dryRuns = await purgeRunsSql(db, live.conn.dialect, [r2!], { dryRun: true });
    expect(dryRuns.rows).toMatchObject({ runs: 1 });
    const dry = await purgeExperimentsSql(db, live.conn.dialect, [String(gone.id)], { dryRun: true });
    const expected = { experiments: 1, runs: 1, issues: 1, label_schemas: 1, review_queues: 1, review_queue_items: 1, review_queue_users: 1, review_queue_label_schemas: 1 };
    expect(dry.rows).toMatchObject(expected);
    expect(await values(db, 'issues', 'issue_id')).toHaveLength(3);

    await purgeRunsSql(db, live.conn.dialect, [r2!]);
    expect((await purgeExperimentsSql(db, live.conn.dialect, [String(gone.id)])).rows).toMatchObject(expected);

    expect(await values(db, 'issues', 'issue_id')).toEqual([keptIssue, otherIssue].sort());
    expect(await values(db, 'issues', 'source_run_id')).toEqual([null, null]);
    expect(goneIssue).not.toBe(keptIssue);
    expect(await values(db, 'label_schemas', 'schema_id')).toEqual([keptReview.schema]);
    expect(await values(db, 'review_queues', 'queue_id')).toEqual([keptReview.queue]);
    for (const t of ['review_queue_items', 'review_queue_users', 'review_queue_label_schemas']) expect(await values(db, t, 'queue_id'), t).toEqual([keptReview.queue]);
    expect(goneReview.queue).not.toBe(keptReview.queue);
    expect(await values(db, 'budget_policies', 'budget_policy_id')).toEqual(['b1']);
    expect(await values(db, 'mcp_servers', 'name')).toEqual(['srv']);
    if (dialect === 'sqlite') expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
  });
}, 180_000);

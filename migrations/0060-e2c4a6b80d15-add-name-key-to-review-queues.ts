/**
 * e2c4a6b80d15: review_queues.name_key, the lower-cased name, becomes the per-experiment unique key
 * (uq_review_queues_experiment_name_key replaces uq_review_queues_experiment_name), so queue names are
 * unique regardless of case. The column is added nullable, filled from `name`, then made NOT NULL;
 * SQLite rebuilds the table. Before any change, names that collide once lower-cased are refused with
 * the pairs named, and nothing is changed (MLflow refuses the same way).
 * Followed: mlflow/mlflow file revising c5d9e1f3a7b2 (the only stored version).
 */
import { sql } from 'kysely';
import { MlfError } from '../src/lib/errors.js';
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { reviewQueues58 } from './0058-b7e4c1a90f23-add-review-queue-tables.js';

export const reviewQueues60: TableSpec = {
  ...reviewQueues58,
  columns: [...reviewQueues58.columns, col('name_key', T.varchar(250), { nullable: false })],
  unique: [{ name: 'uq_review_queues_experiment_name_key', columns: ['experiment_id', 'name_key'] }],
};

/** "experiment 1: 'Foo' vs 'foo'" for every name that lower-cases to one seen before in its experiment. */
export function nameKeyCollisions(rows: { experiment_id: number; name: string }[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const r of rows) {
    const key = `${r.experiment_id}\u0000${r.name.toLowerCase()}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, r.name);
    else out.push(`experiment ${r.experiment_id}: '${first}' vs '${r.name}'`);
  }
  return out;
}

const migration: Migration = {
  revision: 'e2c4a6b80d15',
  downRevision: 'c5d9e1f3a7b2',
  slug: 'add-name-key-to-review-queues',
  async up({ db, ddl }) {
    const rows = (
      await sql<{ queue_id: string; experiment_id: number; name: string }>`select queue_id, experiment_id, name from review_queues order by queue_id`.execute(db)
    ).rows;
    const collisions = nameKeyCollisions(rows);
    if (collisions.length) {
      throw new MlfError(
        `Cannot upgrade review_queues to e2c4a6b80d15: queue names that differ only in case would break the new ` +
          `case-insensitive unique key (experiment_id, name_key). Rename or delete one queue of each pair and run the upgrade again. ` +
          `Nothing was changed. Collisions: ${collisions.join('; ')}`,
        'INVALID_STATE',
      );
    }
    await ddl.addColumn('review_queues', col('name_key', T.varchar(250)));
    // Lower-cased in JavaScript, as MLflow lower-cases in Python (not the database's LOWER / collation).
    for (const r of rows) await sql`update review_queues set name_key = ${r.name.toLowerCase()} where queue_id = ${r.queue_id} and name_key is null`.execute(db);
    await ddl.alterTable(reviewQueues60, [{ column: 'name_key' }, { dropUnique: ['experiment_id', 'name'] }, { unique: ['experiment_id', 'name_key'] }]);
  },
};
export default migration;

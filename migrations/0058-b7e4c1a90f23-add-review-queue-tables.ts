/**
 * b7e4c1a90f23: review_queues (owned by an experiment, ON DELETE CASCADE; names unique per experiment
 * until e2c4a6b80d15 makes them case-insensitive) and its children review_queue_items,
 * review_queue_label_schemas and review_queue_users (each cascading from its queue).
 * Followed: mlflow/mlflow @ 1e4e9a7289d9b077a74191d439cf7926970a32ef for review_queues, the users and
 * label-schema tables; its `review_queue_traces` (target_type, target_id) appears in every head dump as
 * `review_queue_items` (item_type, item_id) with index_review_queue_items_item_id and
 * index_review_queue_items_queue_id_status, which is what mlf creates. review_queue_label_schemas.schema_id
 * has no FK on purpose (a second cascade path from experiments, which SQL Server refuses).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

const queueFk = (table: string) => ({
  name: `fk_${table}_queue_id`,
  columns: ['queue_id'],
  refTable: 'review_queues',
  refColumns: ['queue_id'],
  onDelete: 'CASCADE' as const,
});

export const reviewQueues58: TableSpec = {
  name: 'review_queues',
  columns: [
    col('queue_id', T.varchar(36), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('name', T.varchar(250), { nullable: false }),
    col('queue_type', T.varchar(16), { nullable: false }),
    col('created_by', T.varchar(255)),
    col('creation_time_ms', T.bigint, { nullable: false }),
    col('last_update_time_ms', T.bigint, { nullable: false }),
  ],
  primaryKey: { name: 'review_queues_pk', columns: ['queue_id'] },
  foreignKeys: [
    { name: 'fk_review_queues_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'], onDelete: 'CASCADE' },
  ],
  unique: [{ name: 'uq_review_queues_experiment_name', columns: ['experiment_id', 'name'] }],
  indexes: [{ name: 'index_review_queues_experiment_id', columns: ['experiment_id'] }],
};

export const reviewQueueItems58: TableSpec = {
  name: 'review_queue_items',
  columns: [
    col('queue_id', T.varchar(36), { nullable: false }),
    col('item_type', T.varchar(16), { nullable: false }),
    col('item_id', T.varchar(50), { nullable: false }),
    col('status', T.varchar(16), { nullable: false }),
    col('completed_by', T.varchar(250)),
    col('completed_time_ms', T.bigint),
    col('creation_time_ms', T.bigint, { nullable: false }),
    col('last_update_time_ms', T.bigint, { nullable: false }),
  ],
  primaryKey: { name: 'review_queue_items_pk', columns: ['queue_id', 'item_id'] },
  foreignKeys: [queueFk('review_queue_items')],
  indexes: [
    { name: 'index_review_queue_items_queue_id_status', columns: ['queue_id', 'status'] },
    { name: 'index_review_queue_items_item_id', columns: ['item_id'] },
  ],
};

const migration: Migration = {
  revision: 'b7e4c1a90f23',
  downRevision: '89d3d66ed43f',
  slug: 'add-review-queue-tables',
  async up({ ddl }) {
    await ddl.createTable(reviewQueues58);
    await ddl.createTable({
      name: 'review_queue_users',
      columns: [col('queue_id', T.varchar(36), { nullable: false }), col('user_id', T.varchar(250), { nullable: false })],
      primaryKey: { name: 'review_queue_users_pk', columns: ['queue_id', 'user_id'] },
      foreignKeys: [queueFk('review_queue_users')],
      indexes: [{ name: 'index_review_queue_users_user_id', columns: ['user_id'] }],
    });
    await ddl.createTable(reviewQueueItems58);
    await ddl.createTable({
      name: 'review_queue_label_schemas',
      columns: [col('queue_id', T.varchar(36), { nullable: false }), col('schema_id', T.varchar(36), { nullable: false })],
      primaryKey: { name: 'review_queue_label_schemas_pk', columns: ['queue_id', 'schema_id'] },
      foreignKeys: [queueFk('review_queue_label_schemas')],
      indexes: [{ name: 'index_review_queue_label_schemas_schema_id', columns: ['schema_id'] }],
    });
  },
};
export default migration;

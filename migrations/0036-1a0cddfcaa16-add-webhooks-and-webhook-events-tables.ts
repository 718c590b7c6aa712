/**
 * 1a0cddfcaa16: webhooks (status defaults to 'ACTIVE' on the server) and the events each one listens
 * to (webhook_events, whose FK MLflow leaves unnamed, ON DELETE CASCADE), with their indexes.
 * Followed: mlflow/mlflow @ d1d4b54002a99b6c14c52d5b26fe0aebbc136c91 (revising de4033877273; an
 * older stored version revised 770bee3ae1dd).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const webhooks36: TableSpec = {
  name: 'webhooks',
  columns: [
    col('webhook_id', T.varchar(256), { nullable: false }),
    col('name', T.varchar(256), { nullable: false }),
    col('description', T.varchar(1000)),
    col('url', T.varchar(500), { nullable: false }),
    col('status', T.varchar(20), { nullable: false, default: "'ACTIVE'" }),
    // Encrypted by MLflow before it is stored.
    col('secret', T.varchar(1000)),
    col('creation_timestamp', T.bigint),
    col('last_updated_timestamp', T.bigint),
    col('deleted_timestamp', T.bigint),
  ],
  primaryKey: { name: 'webhook_pk', columns: ['webhook_id'] },
  indexes: [
    { name: 'idx_webhooks_status', columns: ['status'] },
    { name: 'idx_webhooks_name', columns: ['name'] },
  ],
};

export const webhookEvents36: TableSpec = {
  name: 'webhook_events',
  columns: [
    col('webhook_id', T.varchar(256), { nullable: false }),
    col('entity', T.varchar(50), { nullable: false }),
    col('action', T.varchar(50), { nullable: false }),
  ],
  primaryKey: { name: 'webhook_event_pk', columns: ['webhook_id', 'entity', 'action'] },
  foreignKeys: [{ columns: ['webhook_id'], refTable: 'webhooks', refColumns: ['webhook_id'], onDelete: 'CASCADE' }],
  indexes: [
    { name: 'idx_webhook_events_entity', columns: ['entity'] },
    { name: 'idx_webhook_events_action', columns: ['action'] },
    { name: 'idx_webhook_events_entity_action', columns: ['entity', 'action'] },
  ],
};

const migration: Migration = {
  revision: '1a0cddfcaa16',
  downRevision: 'de4033877273',
  slug: 'add-webhooks-and-webhook-events-tables',
  async up({ ddl }) {
    await ddl.createTable(webhooks36);
    await ddl.createTable(webhookEvents36);
  },
};
export default migration;

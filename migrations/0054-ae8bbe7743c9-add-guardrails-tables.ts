/**
 * ae8bbe7743c9: guardrails (a scorer version applied to gateway endpoints; the action endpoint becomes
 * NULL when it goes) and guardrail_configs (endpoint ↔ guardrail, both sides cascading).
 * Followed: mlflow/mlflow @ 6fa20c811fd273778b5f910230c21d0d8b37e814.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { workspaceColumn } from './0049-1b5f0d9ad7c1-add-workspace-columns-and-catalog.js';

export const guardrails54: TableSpec = {
  name: 'guardrails',
  columns: [
    col('guardrail_id', T.varchar(36), { nullable: false }),
    col('name', T.varchar(255), { nullable: false }),
    col('scorer_id', T.varchar(36), { nullable: false }),
    col('scorer_version', T.integer, { nullable: false }),
    col('stage', T.varchar(32), { nullable: false }),
    col('action', T.varchar(32), { nullable: false }),
    col('action_endpoint_id', T.varchar(36)),
    col('created_by', T.varchar(255)),
    col('created_at', T.bigint, { nullable: false }),
    col('last_updated_by', T.varchar(255)),
    col('last_updated_at', T.bigint, { nullable: false }),
    workspaceColumn,
  ],
  primaryKey: { name: 'guardrails_pk', columns: ['guardrail_id'] },
  foreignKeys: [
    {
      name: 'fk_guardrails_scorer_version',
      columns: ['scorer_id', 'scorer_version'],
      refTable: 'scorer_versions',
      refColumns: ['scorer_id', 'scorer_version'],
    },
    { name: 'fk_guardrails_action_endpoint_id', columns: ['action_endpoint_id'], refTable: 'endpoints', refColumns: ['endpoint_id'], onDelete: 'SET NULL' },
  ],
  indexes: [
    { name: 'idx_guardrails_workspace', columns: ['workspace'] },
    { name: 'idx_guardrails_scorer', columns: ['scorer_id', 'scorer_version'] },
  ],
};

export const guardrailConfigs54: TableSpec = {
  name: 'guardrail_configs',
  columns: [
    col('endpoint_id', T.varchar(36), { nullable: false }),
    col('guardrail_id', T.varchar(36), { nullable: false }),
    col('execution_order', T.integer),
    col('created_by', T.varchar(255)),
    col('created_at', T.bigint, { nullable: false }),
    workspaceColumn,
  ],
  primaryKey: { name: 'guardrail_configs_pk', columns: ['endpoint_id', 'guardrail_id'] },
  foreignKeys: [
    { name: 'fk_guardrail_configs_endpoint_id', columns: ['endpoint_id'], refTable: 'endpoints', refColumns: ['endpoint_id'], onDelete: 'CASCADE' },
    { name: 'fk_guardrail_configs_guardrail_id', columns: ['guardrail_id'], refTable: 'guardrails', refColumns: ['guardrail_id'], onDelete: 'CASCADE' },
  ],
  indexes: [
    { name: 'idx_guardrail_configs_endpoint_id', columns: ['endpoint_id'] },
    { name: 'idx_guardrail_configs_guardrail_id', columns: ['guardrail_id'] },
  ],
};

const migration: Migration = {
  revision: 'ae8bbe7743c9',
  downRevision: 'a5b4c3d2e1f0',
  slug: 'add-guardrails-tables',
  async up({ ddl }) {
    await ddl.createTable(guardrails54);
    await ddl.createTable(guardrailConfigs54);
  },
};
export default migration;

/**
 * e1f2a3b4c5d6: budget_policies (AI gateway budgets; not owned by an experiment or run).
 * Followed: the head form in MLflow's schema dumps (tests/db/schemas/mysql.sql @ d1ae7e0d5bf60f6f33bbebad675dc5f1a152d715,
 * sqlite.sql with indexes) — budget_unit, duration_unit, target_scope, budget_action. The only stored
 * migration file (mlflow/mlflow, Create Date 2026-02-24) is a draft with budget_type / duration_type /
 * target_type / on_exceeded that no released schema has; its key, workspace column and
 * idx_budget_policies_workspace are the same. `budget_amount` is SQLAlchemy's plain Float (FLOAT on MySQL).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { workspaceColumn } from './0049-1b5f0d9ad7c1-add-workspace-columns-and-catalog.js';

export const budgetPolicies50: TableSpec = {
  name: 'budget_policies',
  columns: [
    col('budget_policy_id', T.varchar(36), { nullable: false }),
    col('budget_unit', T.varchar(32), { nullable: false }),
    col('budget_amount', T.plainFloat, { nullable: false }),
    col('duration_unit', T.varchar(32), { nullable: false }),
    col('duration_value', T.integer, { nullable: false }),
    col('target_scope', T.varchar(32), { nullable: false }),
    col('budget_action', T.varchar(32), { nullable: false }),
    col('created_by', T.varchar(255)),
    col('created_at', T.bigint, { nullable: false }),
    col('last_updated_by', T.varchar(255)),
    col('last_updated_at', T.bigint, { nullable: false }),
    workspaceColumn,
  ],
  primaryKey: { name: 'budget_policies_pk', columns: ['budget_policy_id'] },
  indexes: [{ name: 'idx_budget_policies_workspace', columns: ['workspace'] }],
};

const migration: Migration = {
  revision: 'e1f2a3b4c5d6',
  downRevision: '1b5f0d9ad7c1',
  slug: 'add-budget-policies-table',
  async up({ ddl }) {
    await ddl.createTable(budgetPolicies50);
  },
};
export default migration;

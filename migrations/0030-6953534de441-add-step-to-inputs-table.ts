/**
 * 6953534de441 (MLflow 3.0): inputs.step BIGINT NOT NULL DEFAULT '0'. alembic's batch_alter_table only
 * adds a column here, which it does with a plain ALTER TABLE ADD on SQLite too.
 * Followed: mlflow/mlflow @ 82e528d182c86cfe8317bf90509b2a1e621e540d.
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '6953534de441',
  downRevision: '400f98739977',
  slug: 'add-step-to-inputs-table',
  async up({ ddl }) {
    await ddl.addColumn('inputs', col('step', T.bigint, { nullable: false, default: "'0'" }));
  },
};
export default migration;

/**
 * c3d9e7f1a2b4: budget_policies.target_value VARCHAR(255) and idx_budget_policies_target_value.
 * Followed: the stored version that adds target_value (the column MLflow's head dumps have); another
 * version of the same id adds endpoint_id instead, which no dump shows. Its down_revision in the index is
 * b7e4c1a90f23; mlf chains it after e2c4a6b80d15, the order the head schema requires (see the reference's
 * mlflow3-schema-chain.md §1, rows 34–35).
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'c3d9e7f1a2b4',
  downRevision: 'e2c4a6b80d15',
  slug: 'add-target-value-to-budget-policies',
  async up({ ddl }) {
    await ddl.addColumn('budget_policies', col('target_value', T.varchar(255)));
    await ddl.createIndex('budget_policies', { name: 'idx_budget_policies_target_value', columns: ['target_value'] });
  },
};
export default migration;

/**
 * 2c33131f4dae: online_scoring_configs, a scorer's sampling of an experiment's traces: FK to scorers
 * ON DELETE CASCADE, FK to experiments with no action (gc deletes these rows before the experiment).
 * Followed: mlflow/mlflow @ 96ee0487202882262b5c4cd0aa97c3b9f858f8b1.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const onlineScoringConfigs45: TableSpec = {
  name: 'online_scoring_configs',
  columns: [
    col('online_scoring_config_id', T.varchar(36), { nullable: false }),
    col('scorer_id', T.varchar(36), { nullable: false }),
    col('sample_rate', T.double, { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('filter_string', T.text),
  ],
  primaryKey: { name: 'online_scoring_config_pk', columns: ['online_scoring_config_id'] },
  foreignKeys: [
    { name: 'fk_online_scoring_configs_scorer_id', columns: ['scorer_id'], refTable: 'scorers', refColumns: ['scorer_id'], onDelete: 'CASCADE' },
    { name: 'fk_online_scoring_configs_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'] },
  ],
};

const migration: Migration = {
  revision: '2c33131f4dae',
  downRevision: 'c9d4e5f6a7b8',
  slug: 'add-online-scoring-configs-table',
  async up({ ddl }) {
    await ddl.createTable(onlineScoringConfigs45);
  },
};
export default migration;

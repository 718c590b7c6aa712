/**
 * 0584bdc529eb (MLflow 2.18): the datasets → experiments FK is re-created as
 * `fk_datasets_experiment_id_experiments ... ON DELETE CASCADE` (SQLite rebuilds the table).
 * Followed: mlflow/mlflow @ 2c4a5a5a70a83dbf567ee9f6dc253640f96b2864 (the stored versions agree).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { datasets21 } from './0021-7f2a7d5fae7d-add-datasets-inputs-input-tags-tables.js';

/** datasets as 4465047574b1 left it (dataset_schema MEDIUMTEXT on MySQL), with the cascading FK. */
export const datasets28: TableSpec = {
  ...datasets21,
  columns: datasets21.columns.map((c) => (c.name === 'dataset_schema' ? col('dataset_schema', T.mediumText) : c)),
  foreignKeys: [
    {
      name: 'fk_datasets_experiment_id_experiments',
      columns: ['experiment_id'],
      refTable: 'experiments',
      refColumns: ['experiment_id'],
      onDelete: 'CASCADE',
    },
  ],
};

const migration: Migration = {
  revision: '0584bdc529eb',
  downRevision: 'f5a4f2784254',
  slug: 'add-cascading-deletion-to-datasets-from-experiments',
  async up({ ddl }) {
    await ddl.alterTable(datasets28, [{ foreignKey: ['experiment_id'] }]);
  },
};
export default migration;

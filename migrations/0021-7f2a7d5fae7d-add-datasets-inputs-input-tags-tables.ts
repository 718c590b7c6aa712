/** 7f2a7d5fae7d: datasets, inputs and input_tags with their indexes. */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const datasets21: TableSpec = {
  name: 'datasets',
  columns: [
    col('dataset_uuid', T.varchar(36), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('name', T.varchar(500), { nullable: false }),
    col('digest', T.varchar(36), { nullable: false }),
    col('dataset_source_type', T.varchar(36), { nullable: false }),
    col('dataset_source', T.text, { nullable: false }),
    col('dataset_schema', T.text),
    col('dataset_profile', T.mediumText),
  ],
  primaryKey: { name: 'dataset_pk', columns: ['experiment_id', 'name', 'digest'] },
  foreignKeys: [{ columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'] }],
  indexes: [
    { name: 'index_datasets_dataset_uuid', columns: ['dataset_uuid'] },
    { name: 'index_datasets_experiment_id_dataset_source_type', columns: ['experiment_id', 'dataset_source_type'] },
  ],
};

const migration: Migration = {
  revision: '7f2a7d5fae7d',
  downRevision: '3500859a5d39',
  slug: 'add-datasets-inputs-input-tags-tables',
  async up({ ddl }) {
    await ddl.createTable(datasets21);
    await ddl.createTable({
      name: 'inputs',
      columns: ['input_uuid', 'source_type', 'source_id', 'destination_type', 'destination_id'].map((n) =>
        col(n, T.varchar(36), { nullable: false }),
      ),
      primaryKey: { name: 'inputs_pk', columns: ['source_type', 'source_id', 'destination_type', 'destination_id'] },
      indexes: [
        { name: 'index_inputs_input_uuid', columns: ['input_uuid'] },
        { name: 'index_inputs_destination_type_destination_id_source_type', columns: ['destination_type', 'destination_id', 'source_type'] },
      ],
    });
    await ddl.createTable({
      name: 'input_tags',
      columns: [
        col('input_uuid', T.varchar(36), { nullable: false }),
        col('name', T.varchar(255), { nullable: false }),
        col('value', T.varchar(500), { nullable: false }),
      ],
      primaryKey: { name: 'input_tags_pk', columns: ['input_uuid', 'name'] },
    });
  },
};
export default migration;

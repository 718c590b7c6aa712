/**
 * 89d3d66ed43f: label_schemas, owned by an experiment (ON DELETE CASCADE), names unique per experiment.
 * Followed: the stored version whose table matches MLflow's head dumps (no workspace column, name
 * VARCHAR(250), uq_label_schemas_exp_name, index_label_schemas_experiment_id), without its is_default
 * column, which c5d9e1f3a7b2 adds next (a file that already had it would make that revision fail).
 * The version @ 400881dac571a45b466e74d57edc46847cabe3c3 (workspace column, title, name VARCHAR(150))
 * is a draft no head dump shows.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const labelSchemas57: TableSpec = {
  name: 'label_schemas',
  columns: [
    col('schema_id', T.varchar(36), { nullable: false }),
    col('experiment_id', T.integer, { nullable: false }),
    col('name', T.varchar(250), { nullable: false }),
    col('type', T.varchar(16), { nullable: false }),
    col('instruction', T.text),
    col('enable_comment', T.boolean, { nullable: false, default: "'0'" }),
    col('input_type', T.varchar(32), { nullable: false }),
    col('input_config', T.text, { nullable: false }),
    col('created_by', T.varchar(255)),
    col('created_time', T.bigint, { nullable: false }),
    col('last_update_time', T.bigint, { nullable: false }),
  ],
  primaryKey: { name: 'label_schemas_pk', columns: ['schema_id'] },
  foreignKeys: [
    { name: 'fk_label_schemas_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'], onDelete: 'CASCADE' },
  ],
  unique: [{ name: 'uq_label_schemas_exp_name', columns: ['experiment_id', 'name'] }],
  indexes: [{ name: 'index_label_schemas_experiment_id', columns: ['experiment_id'] }],
};

const migration: Migration = {
  revision: '89d3d66ed43f',
  downRevision: 'da6fb0208061',
  slug: 'add-label-schemas-table',
  async up({ ddl }) {
    await ddl.createTable(labelSchemas57);
  },
};
export default migration;

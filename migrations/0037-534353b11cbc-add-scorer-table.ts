/**
 * 534353b11cbc: scorers (FK to experiments ON DELETE CASCADE, a UNIQUE index on (experiment_id,
 * scorer_name)) and their serialized versions (FK to scorers ON DELETE CASCADE).
 * Followed: mlflow/mlflow @ 4cee3dcc04b19a6ed2dc1ce1aa4eb3507cb68b48.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const scorers37: TableSpec = {
  name: 'scorers',
  columns: [
    col('experiment_id', T.integer, { nullable: false }),
    col('scorer_name', T.varchar(256), { nullable: false }),
    col('scorer_id', T.varchar(36), { nullable: false }),
  ],
  primaryKey: { name: 'scorer_pk', columns: ['scorer_id'] },
  foreignKeys: [
    { name: 'fk_scorers_experiment_id', columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'], onDelete: 'CASCADE' },
  ],
  indexes: [{ name: 'index_scorers_experiment_id_scorer_name', columns: ['experiment_id', 'scorer_name'], unique: true }],
};

export const scorerVersions37: TableSpec = {
  name: 'scorer_versions',
  columns: [
    col('scorer_id', T.varchar(36), { nullable: false }),
    col('scorer_version', T.integer, { nullable: false }),
    col('serialized_scorer', T.text, { nullable: false }),
    col('creation_time', T.bigint),
  ],
  primaryKey: { name: 'scorer_version_pk', columns: ['scorer_id', 'scorer_version'] },
  foreignKeys: [
    { name: 'fk_scorer_versions_scorer_id', columns: ['scorer_id'], refTable: 'scorers', refColumns: ['scorer_id'], onDelete: 'CASCADE' },
  ],
  indexes: [{ name: 'index_scorer_versions_scorer_id', columns: ['scorer_id'] }],
};

const migration: Migration = {
  revision: '534353b11cbc',
  downRevision: '1a0cddfcaa16',
  slug: 'add-scorer-table',
  async up({ ddl }) {
    await ddl.createTable(scorers37);
    await ddl.createTable(scorerVersions37);
  },
};
export default migration;

/**
 * 71994744cf8e: evaluation datasets, their tags and their records. The records' payloads are JSON
 * columns (NVARCHAR(max) on SQL Server, LONGTEXT with a json_valid CHECK on MariaDB), and a record is
 * unique per (dataset_id, input_hash): the named constraint unique_dataset_input. MLflow adds it
 * with batch_alter_table after creating the table; mlf declares it in CREATE TABLE, which gives the
 * same table (SQLite's batch rebuild puts it there too).
 * Followed: mlflow/mlflow @ 449f48edc011007e7a505147a9b6ddfc5758f208. MLflow's head PostgreSQL and
 * SQLite dumps show unique_dataset_input; its MySQL dump @ d1ae7e0d5bf60f6f33bbebad675dc5f1a152d715
 * does not (a MySQL UNIQUE constraint is an index, which those dumps leave out).
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

const datasetFk = (table: string) => ({
  name: `fk_${table}_dataset_id`,
  columns: ['dataset_id'],
  refTable: 'evaluation_datasets',
  refColumns: ['dataset_id'],
  onDelete: 'CASCADE' as const,
});

export const evaluationDatasets38: TableSpec = {
  name: 'evaluation_datasets',
  columns: [
    col('dataset_id', T.varchar(36), { nullable: false }),
    col('name', T.varchar(255), { nullable: false }),
    col('schema', T.text),
    col('profile', T.text),
    col('digest', T.varchar(64)),
    col('created_time', T.bigint),
    col('last_update_time', T.bigint),
    col('created_by', T.varchar(255)),
    col('last_updated_by', T.varchar(255)),
  ],
  primaryKey: { name: 'evaluation_datasets_pk', columns: ['dataset_id'] },
  indexes: [
    { name: 'index_evaluation_datasets_name', columns: ['name'] },
    { name: 'index_evaluation_datasets_created_time', columns: ['created_time'] },
  ],
};

export const evaluationDatasetTags38: TableSpec = {
  name: 'evaluation_dataset_tags',
  columns: [
    col('dataset_id', T.varchar(36), { nullable: false }),
    col('key', T.varchar(255), { nullable: false }),
    col('value', T.varchar(5000)),
  ],
  primaryKey: { name: 'evaluation_dataset_tags_pk', columns: ['dataset_id', 'key'] },
  foreignKeys: [datasetFk('evaluation_dataset_tags')],
  indexes: [{ name: 'index_evaluation_dataset_tags_dataset_id', columns: ['dataset_id'] }],
};

export const evaluationDatasetRecords38: TableSpec = {
  name: 'evaluation_dataset_records',
  columns: [
    col('dataset_record_id', T.varchar(36), { nullable: false }),
    col('dataset_id', T.varchar(36), { nullable: false }),
    col('inputs', T.json, { nullable: false }),
    col('expectations', T.json),
    col('tags', T.json),
    col('source', T.json),
    col('source_id', T.varchar(36)),
    col('source_type', T.varchar(255)),
    col('created_time', T.bigint),
    col('last_update_time', T.bigint),
    col('created_by', T.varchar(255)),
    col('last_updated_by', T.varchar(255)),
    col('input_hash', T.varchar(64), { nullable: false }),
  ],
  primaryKey: { name: 'evaluation_dataset_records_pk', columns: ['dataset_record_id'] },
  foreignKeys: [datasetFk('evaluation_dataset_records')],
  unique: [{ name: 'unique_dataset_input', columns: ['dataset_id', 'input_hash'] }],
  indexes: [{ name: 'index_evaluation_dataset_records_dataset_id', columns: ['dataset_id'] }],
};

const migration: Migration = {
  revision: '71994744cf8e',
  downRevision: '534353b11cbc',
  slug: 'add-evaluation-datasets',
  async up({ ddl }) {
    for (const t of [evaluationDatasets38, evaluationDatasetTags38, evaluationDatasetRecords38]) await ddl.createTable(t);
  },
};
export default migration;

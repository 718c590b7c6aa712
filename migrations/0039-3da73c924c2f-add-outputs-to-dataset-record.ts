/**
 * 3da73c924c2f: evaluation_dataset_records.outputs, a nullable JSON column (a plain ADD everywhere).
 * Followed: mlflow/mlflow @ 261d8fe4d2545a729c7736c5040ee79dd9d88a52.
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: '3da73c924c2f',
  downRevision: '71994744cf8e',
  slug: 'add-outputs-to-dataset-record',
  async up({ ddl }) {
    await ddl.addColumn('evaluation_dataset_records', col('outputs', T.json));
  },
};
export default migration;

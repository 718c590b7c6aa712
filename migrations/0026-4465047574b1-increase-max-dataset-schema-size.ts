/**
 * 4465047574b1: datasets.dataset_schema becomes MEDIUMTEXT. MLflow runs it on MySQL only; the type
 * map's `mediumText` is TEXT elsewhere, so the catalog check finds nothing to do there.
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';
import { datasets21 } from './0021-7f2a7d5fae7d-add-datasets-inputs-input-tags-tables.js';

const migration: Migration = {
  revision: '4465047574b1',
  downRevision: '5b0e9adcef9c',
  slug: 'increase-max-dataset-schema-size',
  async up({ ddl }) {
    const target = {
      ...datasets21,
      columns: datasets21.columns.map((c) => (c.name === 'dataset_schema' ? col('dataset_schema', T.mediumText) : c)),
    };
    await ddl.alterTable(target, [{ column: 'dataset_schema' }]);
  },
};
export default migration;

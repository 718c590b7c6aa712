/**
 * c5d9e1f3a7b2: label_schemas.is_default (BOOLEAN NOT NULL, server default false; mlf writes the
 * default as '0', which every dialect reads as false). Followed: mlflow/mlflow file revising b7e4c1a90f23.
 */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'c5d9e1f3a7b2',
  downRevision: 'b7e4c1a90f23',
  slug: 'add-is-default-to-label-schemas',
  async up({ ddl }) {
    await ddl.addColumn('label_schemas', col('is_default', T.boolean, { nullable: false, default: "'0'" }));
  },
};
export default migration;

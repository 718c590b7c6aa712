/**
 * de4033877273: entity_associations, MLflow's many-to-many link between entities (an evaluation
 * dataset and the experiments using it, ...), keyed by both ends' type and id, with no FKs: ids of
 * several tables share its columns. gc removes rows naming a purged run or experiment.
 * Followed: mlflow/mlflow's de4033877273_create_entity_associations_table.py (stored without a commit,
 * the version revising a1b2c3d4e5f6; Create Date 2025-07-28); MLflow's head dumps agree.
 */
import { col, T, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

export const entityAssociations35: TableSpec = {
  name: 'entity_associations',
  columns: [
    col('association_id', T.varchar(36), { nullable: false }),
    col('source_type', T.varchar(36), { nullable: false }),
    col('source_id', T.varchar(36), { nullable: false }),
    col('destination_type', T.varchar(36), { nullable: false }),
    col('destination_id', T.varchar(36), { nullable: false }),
    col('created_time', T.bigint),
  ],
  primaryKey: { name: 'entity_associations_pk', columns: ['source_type', 'source_id', 'destination_type', 'destination_id'] },
  indexes: [
    { name: 'index_entity_associations_association_id', columns: ['association_id'] },
    { name: 'index_entity_associations_reverse_lookup', columns: ['destination_type', 'destination_id', 'source_type', 'source_id'] },
  ],
};

const migration: Migration = {
  revision: 'de4033877273',
  downRevision: 'a1b2c3d4e5f6',
  slug: 'create-entity-associations-table',
  async up({ ddl }) {
    await ddl.createTable(entityAssociations35);
  },
};
export default migration;

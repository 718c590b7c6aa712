/**
 * 1bd49d398cd23 (13 hex digits, as MLflow spells it): the AI gateway's tables — secrets (encrypted
 * values as binary), endpoints, model definitions (FK to secrets ON DELETE SET NULL), the mappings of
 * endpoints to model definitions, endpoint bindings and endpoint tags — with MLflow's UNIQUE indexes
 * on names, and the trigger prevent_secrets_aad_mutation: secret_id and secret_name are the
 * associated data of each secret's AES-GCM encryption, so the database refuses any UPDATE changing
 * them. Each dialect writes that trigger its own way (dialects/<d>/ddl.ts); the refusal is tested on
 * every dialect in test/migrations/secrets-trigger.test.ts.
 * Followed: mlflow/mlflow @ 00959a649c14c7030bc768f26fe4896ed35ddf2e. An older draft under the id
 * 1b49d398cd23 (secrets_bindings, is_shared, state) never reached MLflow's chain; the head dumps match
 * this version.
 */
import { col, T, type ImmutableColumnsTrigger, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';

const endpointFk = (table: string) => ({
  name: `fk_${table}_endpoint_id`,
  columns: ['endpoint_id'],
  refTable: 'endpoints',
  refColumns: ['endpoint_id'],
  onDelete: 'CASCADE' as const,
});

/** Who and when, as every gateway table records it (times are client-side defaults in MLflow). */
const audit = () => [
  col('created_by', T.varchar(255)),
  col('created_at', T.bigint, { nullable: false }),
  col('last_updated_by', T.varchar(255)),
  col('last_updated_at', T.bigint, { nullable: false }),
];

export const secrets41: TableSpec = {
  name: 'secrets',
  columns: [
    col('secret_id', T.varchar(36), { nullable: false }),
    col('secret_name', T.varchar(255), { nullable: false }),
    col('encrypted_value', T.blob, { nullable: false }),
    col('wrapped_dek', T.blob, { nullable: false }),
    col('kek_version', T.integer, { nullable: false }),
    col('masked_value', T.varchar(500), { nullable: false }),
    col('provider', T.varchar(64)),
    col('auth_config', T.text),
    col('description', T.text),
    ...audit(),
  ],
  primaryKey: { name: 'secrets_pk', columns: ['secret_id'] },
  indexes: [{ name: 'unique_secret_name', columns: ['secret_name'], unique: true }],
};

export const endpoints41: TableSpec = {
  name: 'endpoints',
  columns: [col('endpoint_id', T.varchar(36), { nullable: false }), col('name', T.varchar(255)), ...audit()],
  primaryKey: { name: 'endpoints_pk', columns: ['endpoint_id'] },
  indexes: [{ name: 'unique_endpoint_name', columns: ['name'], unique: true }],
};

export const modelDefinitions41: TableSpec = {
  name: 'model_definitions',
  columns: [
    col('model_definition_id', T.varchar(36), { nullable: false }),
    col('name', T.varchar(255), { nullable: false }),
    col('secret_id', T.varchar(36)),
    col('provider', T.varchar(64), { nullable: false }),
    col('model_name', T.varchar(256), { nullable: false }),
    ...audit(),
  ],
  primaryKey: { name: 'model_definitions_pk', columns: ['model_definition_id'] },
  foreignKeys: [
    { name: 'fk_model_definitions_secret_id', columns: ['secret_id'], refTable: 'secrets', refColumns: ['secret_id'], onDelete: 'SET NULL' },
  ],
  indexes: [
    { name: 'unique_model_definition_name', columns: ['name'], unique: true },
    { name: 'index_model_definitions_secret_id', columns: ['secret_id'] },
    { name: 'index_model_definitions_provider', columns: ['provider'] },
  ],
};

export const endpointModelMappings41: TableSpec = {
  name: 'endpoint_model_mappings',
  columns: [
    col('mapping_id', T.varchar(36), { nullable: false }),
    col('endpoint_id', T.varchar(36), { nullable: false }),
    col('model_definition_id', T.varchar(36), { nullable: false }),
    // sa.Float() without precision: 4 bytes on MySQL, a double elsewhere.
    col('weight', T.plainFloat, { nullable: false }),
    col('created_by', T.varchar(255)),
    col('created_at', T.bigint, { nullable: false }),
  ],
  primaryKey: { name: 'endpoint_model_mappings_pk', columns: ['mapping_id'] },
  foreignKeys: [
    endpointFk('endpoint_model_mappings'),
    {
      name: 'fk_endpoint_model_mappings_model_definition_id',
      columns: ['model_definition_id'],
      refTable: 'model_definitions',
      refColumns: ['model_definition_id'],
    },
  ],
  indexes: [
    { name: 'index_endpoint_model_mappings_endpoint_id', columns: ['endpoint_id'] },
    { name: 'index_endpoint_model_mappings_model_definition_id', columns: ['model_definition_id'] },
    { name: 'unique_endpoint_model_mapping', columns: ['endpoint_id', 'model_definition_id'], unique: true },
  ],
};

export const endpointBindings41: TableSpec = {
  name: 'endpoint_bindings',
  columns: [
    col('endpoint_id', T.varchar(36), { nullable: false }),
    col('resource_type', T.varchar(50), { nullable: false }),
    col('resource_id', T.varchar(255), { nullable: false }),
    col('created_at', T.bigint, { nullable: false }),
    col('created_by', T.varchar(255)),
    col('last_updated_at', T.bigint, { nullable: false }),
    col('last_updated_by', T.varchar(255)),
  ],
  primaryKey: { name: 'endpoint_bindings_pk', columns: ['endpoint_id', 'resource_type', 'resource_id'] },
  foreignKeys: [endpointFk('endpoint_bindings')],
};

export const endpointTags41: TableSpec = {
  name: 'endpoint_tags',
  columns: [
    col('key', T.varchar(250), { nullable: false }),
    col('value', T.varchar(5000)),
    col('endpoint_id', T.varchar(36), { nullable: false }),
  ],
  primaryKey: { name: 'endpoint_tag_pk', columns: ['key', 'endpoint_id'] },
  foreignKeys: [endpointFk('endpoint_tags')],
  indexes: [{ name: 'index_endpoint_tags_endpoint_id', columns: ['endpoint_id'] }],
};

/** MLflow's message, which an UPDATE of these columns fails with on every dialect. */
export const SECRETS_AAD_TRIGGER: ImmutableColumnsTrigger = {
  name: 'prevent_secrets_aad_mutation',
  table: 'secrets',
  key: 'secret_id',
  columns: ['secret_id', 'secret_name'],
  message: 'secret_id and secret_name are immutable (used as AAD in encryption)',
};

const migration: Migration = {
  revision: '1bd49d398cd23',
  downRevision: 'bf29a5ff90ea',
  slug: 'add-secrets-tables',
  async up({ ddl }) {
    for (const t of [secrets41, endpoints41, modelDefinitions41, endpointModelMappings41, endpointBindings41, endpointTags41]) {
      await ddl.createTable(t);
    }
    await ddl.createImmutableColumnsTrigger(SECRETS_AAD_TRIGGER);
  },
};
export default migration;

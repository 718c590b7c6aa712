/**
 * 1b5f0d9ad7c1 (MLflow 3.10): workspaces. Twelve tables get `workspace VARCHAR(63) NOT NULL DEFAULT
 * 'default'` (existing rows take the default); experiment names become unique per workspace
 * (uq_experiments_workspace_name replaces UNIQUE(name)); the registry's keys and FKs lead with
 * workspace; the gateway's secret, endpoint and model-definition names become unique per workspace;
 * jobs' name index gains workspace; the `workspaces` catalog is created with its 'default' row.
 *
 * As MLflow does: SQLite rebuilds the tables whose keys or UNIQUEs change (the rebuild keeps the
 * secrets trigger, which MLflow re-creates); the other dialects drop the registry's child FKs first,
 * re-key the parents, then re-create the FKs under MLflow's names. MLflow finds the old UNIQUEs
 * (unnamed constraints, or the gateway's unique_*_name indexes) by their columns; so does mlf
 * (Ddl.dropUniqueOn).
 * Followed: mlflow/mlflow @ 0c3285512734762ba09bf1b743fced4845528f18 (revising c8d9e0f1a2b3).
 */
import { sql } from 'kysely';
import { col, T, type ColumnSpec, type Migration, type MigrationContext, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { experiments0 } from './0000-initial-tables.js';
import { modelVersions13 } from './0013-a8c4a736bde6-allow-nulls-for-run-id.js';
import { runLink } from './0012-84291f40a231-add-run-link-to-model-version.js';
import { modelVersionTags31 } from './0031-bda7b8c39065-increase-model-version-tag-value-limit.js';
import { modelDefinitions41, secrets41 } from './0041-1bd49d398cd23-add-secrets-tables.js';
import { endpoints47 } from './0047-d0e1f2a3b4c5-add-experiment-id-and-usage-tracking-to-endpoints.js';

export const workspaceColumn: ColumnSpec = col('workspace', T.varchar(63), { nullable: false, default: "'default'" });
const ws = (columns: ColumnSpec[]) => [...columns, workspaceColumn];

export const experiments49: TableSpec = {
  ...experiments0,
  columns: ws([...experiments0.columns, col('creation_time', T.bigint), col('last_update_time', T.bigint)]),
  unique: [{ name: 'uq_experiments_workspace_name', columns: ['workspace', 'name'] }],
  indexes: [
    { name: 'idx_experiments_workspace', columns: ['workspace'] },
    { name: 'idx_experiments_workspace_creation_time', columns: ['workspace', 'creation_time'] },
  ],
};

export const registeredModels49: TableSpec = {
  name: 'registered_models',
  columns: ws([
    col('name', T.varchar(256), { nullable: false }),
    col('creation_time', T.bigint),
    col('last_updated_time', T.bigint),
    col('description', T.varchar(5000)),
  ]),
  primaryKey: { name: 'registered_model_pk', columns: ['workspace', 'name'] },
  indexes: [{ name: 'idx_registered_models_workspace', columns: ['workspace'] }],
};

const toModel = { refTable: 'registered_models', columns: ['workspace', 'name'], refColumns: ['workspace', 'name'], onUpdate: 'CASCADE' as const };

export const modelVersions49: TableSpec = {
  ...modelVersions13,
  // modelVersions13 already ends with run_link; storage_location came with acf3f17fdcc7.
  columns: ws([...modelVersions13.columns.filter((c) => c !== runLink), runLink, col('storage_location', T.varchar(500))]),
  primaryKey: { name: 'model_version_pk', columns: ['workspace', 'name', 'version'] },
  foreignKeys: [{ name: 'fk_model_versions_registered_models', ...toModel }],
};

export const registeredModelTags49: TableSpec = {
  name: 'registered_model_tags',
  columns: ws([col('key', T.varchar(250), { nullable: false }), col('value', T.varchar(5000)), col('name', T.varchar(256), { nullable: false })]),
  primaryKey: { name: 'registered_model_tag_pk', columns: ['workspace', 'key', 'name'] },
  foreignKeys: [{ name: 'fk_registered_model_tags_registered_models', ...toModel }],
};

export const modelVersionTags49: TableSpec = {
  ...modelVersionTags31,
  columns: ws(modelVersionTags31.columns),
  primaryKey: { name: 'model_version_tag_pk', columns: ['workspace', 'key', 'name', 'version'] },
  foreignKeys: [
    {
      name: 'fk_model_version_tags_model_versions',
      columns: ['workspace', 'name', 'version'],
      refTable: 'model_versions',
      refColumns: ['workspace', 'name', 'version'],
      onUpdate: 'CASCADE',
    },
  ],
};

export const registeredModelAliases49: TableSpec = {
  name: 'registered_model_aliases',
  columns: ws([
    col('alias', T.varchar(256), { nullable: false }),
    col('version', T.integer, { nullable: false }),
    col('name', T.varchar(256), { nullable: false }),
  ]),
  primaryKey: { name: 'registered_model_alias_pk', columns: ['workspace', 'name', 'alias'] },
  foreignKeys: [{ name: 'fk_registered_model_aliases_registered_models', ...toModel, onDelete: 'CASCADE' }],
};

/**
 * A table whose name UNIQUE index becomes a (workspace, <column>) constraint: `before` is the table as
 * c8d9e0f1a2b3 leaves it (SQLite rebuilds it whole).
 */
const perWorkspaceName = (before: TableSpec, column: string, unique: string): TableSpec => ({
  ...before,
  columns: ws(before.columns),
  unique: [{ name: unique, columns: ['workspace', column] }],
  indexes: [...(before.indexes ?? []).filter((ix) => !ix.unique), { name: `idx_${before.name}_workspace`, columns: ['workspace'] }],
});

export const secrets49 = perWorkspaceName(secrets41, 'secret_name', 'uq_secrets_workspace_secret_name');
export const endpoints49 = perWorkspaceName(endpoints47, 'name', 'uq_endpoints_workspace_name');
export const modelDefinitions49 = perWorkspaceName(modelDefinitions41, 'name', 'uq_model_definitions_workspace_name');
/** The gateway tables whose name UNIQUE index (1bd49d398cd23) becomes a (workspace, name) constraint. */
const GATEWAY: [TableSpec, string][] = [
  [secrets49, 'secret_name'],
  [endpoints49, 'name'],
  [modelDefinitions49, 'name'],
];

export const workspaces49: TableSpec = {
  name: 'workspaces',
  columns: [col('name', T.varchar(63), { nullable: false }), col('description', T.text), col('default_artifact_root', T.text)],
  primaryKey: { name: 'workspaces_pk', columns: ['name'] },
};

/** Re-key the registry and experiments where ALTER can (not SQLite): child FKs go first, as in MLflow. */
async function alterInPlace(ddl: MigrationContext['ddl']): Promise<void> {
  for (const [child, parent] of [
    ['model_versions', 'registered_models'],
    ['registered_model_tags', 'registered_models'],
    ['registered_model_aliases', 'registered_models'],
    ['model_version_tags', 'model_versions'],
  ] as const) {
    // Only the FKs still on the old key (a re-run after a crash keeps the new ones).
    const fks = await ddl.catalog.foreignKeys(ddl.db, child);
    if (fks.some((f) => f.refTable === parent && !f.columns.includes('workspace'))) await ddl.dropForeignKeysTo(child, parent);
  }
}

const migration: Migration = {
  revision: '1b5f0d9ad7c1',
  downRevision: 'c8d9e0f1a2b3',
  slug: 'add-workspace-columns-and-catalog',
  async up({ db, ddl }) {
    const rebuilds = ddl.traits.rebuildsTables;
    await ddl.alterTable(experiments49, [{ dropUnique: ['name'] }, { column: 'workspace' }, { unique: ['workspace', 'name'] }]);
    if (!rebuilds) await alterInPlace(ddl);
    await ddl.alterTable(registeredModels49, [{ dropUnique: ['name'] }, { column: 'workspace' }, { primaryKey: true }]);
    for (const t of [modelVersions49, registeredModelTags49, modelVersionTags49, registeredModelAliases49]) {
      await ddl.alterTable(t, [{ column: 'workspace' }, { primaryKey: true }, { foreignKey: t.foreignKeys![0]!.columns }]);
    }
    for (const t of ['evaluation_datasets', 'webhooks']) await ddl.addColumn(t, workspaceColumn);
    for (const [t, column] of GATEWAY) {
      await ddl.alterTable(t, [{ dropUnique: [column] }, { column: 'workspace' }, { unique: ['workspace', column] }]);
    }
    // jobs: the name index is re-made with workspace (a re-run after a crash finds the column there).
    if (!(await ddl.catalog.columns(db, 'jobs')).some((c) => c.name === 'workspace')) {
      await ddl.dropIndex('jobs', 'index_jobs_name_status_creation_time');
      await ddl.addColumn('jobs', workspaceColumn);
    }
    await ddl.createIndex('jobs', { name: 'index_jobs_name_status_creation_time', columns: ['job_name', 'workspace', 'status', 'creation_time'] });

    for (const t of [experiments49, registeredModels49]) for (const ix of t.indexes ?? []) await ddl.createIndex(t.name, ix);
    for (const t of ['evaluation_datasets', 'webhooks', 'secrets', 'endpoints', 'model_definitions']) {
      await ddl.createIndex(t, { name: `idx_${t}_workspace`, columns: ['workspace'] });
    }
    await ddl.createTable(workspaces49);
    const seeded = await sql<{ n: number }>`select count(*) as n from workspaces where name = 'default'`.execute(db);
    if (Number(seeded.rows[0]?.n ?? 0) === 0) {
      await sql`insert into workspaces (name, description) values ('default', 'Default workspace for legacy resources')`.execute(db);
    }
  },
};
export default migration;

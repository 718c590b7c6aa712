/**
 * a8b9c0d1e2f3: the MCP server registry: mcp_servers (key workspace + name), its versions, tags,
 * version tags, aliases and access endpoints, every child keyed on (workspace, name) with composite
 * FKs ON DELETE CASCADE ON UPDATE CASCADE. None of them belongs to an experiment or a run.
 *
 * Followed: MLflow's head dumps (tests/db/schemas/mysql.sql @ d1ae7e0d5bf60f6f33bbebad675dc5f1a152d715
 * for columns, FKs and their names; the SQLite dump for the primary-key names), because no stored
 * version of this file matches the head: the one @ 0610189863cac8e68bfd41e3214149200dac0b6c creates
 * mcp_access_bindings, mcp_servers.latest_version and mcp_server_versions.display_name, while every head
 * has mcp_access_endpoints, the semver columns and connect_options (see the reference's §1 "Uncertain
 * MCP tables"). The only index mlf can name is ix_mcp_access_endpoints_version (from 7c4d9e2f1a86).
 * Version columns are plain VARCHAR(128) here; 7c4d9e2f1a86 pins their collation.
 */
import { col, T, type ColumnSpec, type ForeignKeySpec, type Migration, type TableSpec } from '../src/stores/sql/migrate/ddl.js';
import { workspaceColumn } from './0049-1b5f0d9ad7c1-add-workspace-columns-and-catalog.js';

const audit: ColumnSpec[] = [
  col('created_by', T.varchar(256)),
  col('last_updated_by', T.varchar(256)),
  col('created_at', T.bigint, { nullable: false }),
  col('last_updated_at', T.bigint, { nullable: false }),
];

const serverFk = (table: string, columns = ['workspace', 'name']): ForeignKeySpec => ({
  name: `${table}_server_fkey`,
  columns,
  refTable: 'mcp_servers',
  refColumns: ['workspace', 'name'],
  onDelete: 'CASCADE',
  onUpdate: 'CASCADE',
});

/** The MCP tables as a8b9c0d1e2f3 leaves them; `version` is the type of every version column. */
export function mcpTables(version: (n: number) => ColumnSpec['type']): TableSpec[] {
  return [
    {
      name: 'mcp_servers',
      columns: [
        workspaceColumn,
        col('name', T.varchar(256), { nullable: false }),
        col('display_name', T.varchar(256)),
        col('description', T.text),
        col('icons', T.json),
        ...audit,
      ],
      primaryKey: { name: 'mcp_servers_pk', columns: ['workspace', 'name'] },
    },
    {
      name: 'mcp_server_versions',
      columns: [
        workspaceColumn,
        col('name', T.varchar(256), { nullable: false }),
        col('version', version(128), { nullable: false }),
        col('version_major', T.integer, { nullable: false }),
        col('version_minor', T.integer, { nullable: false }),
        col('version_patch', T.integer, { nullable: false }),
        col('version_prerelease_sort_key', T.varchar(512), { nullable: false }),
        col('server_json', T.json, { nullable: false }),
        col('status', T.varchar(20), { nullable: false, default: "'draft'" }),
        col('tools', T.json),
        col('source', T.varchar(512)),
        col('connect_options', T.json),
        ...audit,
      ],
      primaryKey: { name: 'mcp_server_versions_pk', columns: ['workspace', 'name', 'version'] },
      foreignKeys: [serverFk('mcp_server_versions')],
    },
    {
      name: 'mcp_server_tags',
      columns: [workspaceColumn, col('name', T.varchar(256), { nullable: false }), col('key', T.varchar(250), { nullable: false }), col('value', T.varchar(5000))],
      primaryKey: { name: 'mcp_server_tags_pk', columns: ['workspace', 'name', 'key'] },
      foreignKeys: [serverFk('mcp_server_tags')],
    },
    {
      name: 'mcp_server_version_tags',
      columns: [
        workspaceColumn,
        col('name', T.varchar(256), { nullable: false }),
        col('version', version(128), { nullable: false }),
        col('key', T.varchar(250), { nullable: false }),
        col('value', T.varchar(5000)),
      ],
      primaryKey: { name: 'mcp_server_version_tags_pk', columns: ['workspace', 'name', 'version', 'key'] },
      foreignKeys: [
        {
          name: 'mcp_server_version_tags_version_fkey',
          columns: ['workspace', 'name', 'version'],
          refTable: 'mcp_server_versions',
          refColumns: ['workspace', 'name', 'version'],
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
      ],
    },
    {
      name: 'mcp_server_aliases',
      columns: [
        workspaceColumn,
        col('name', T.varchar(256), { nullable: false }),
        col('alias', T.varchar(256), { nullable: false }),
        col('version', version(128), { nullable: false }),
      ],
      primaryKey: { name: 'mcp_server_aliases_pk', columns: ['workspace', 'name', 'alias'] },
      foreignKeys: [serverFk('mcp_server_aliases')],
    },
    {
      name: 'mcp_access_endpoints',
      columns: [
        col('id', T.varchar(36), { nullable: false }),
        workspaceColumn,
        col('server_name', T.varchar(256), { nullable: false }),
        col('server_version', version(128)),
        col('server_alias', T.varchar(256)),
        col('url', T.varchar(2048), { nullable: false }),
        col('transport_type', T.varchar(32), { nullable: false, default: "'streamable-http'" }),
        ...audit,
      ],
      primaryKey: { name: 'mcp_access_endpoints_pk', columns: ['id'] },
      foreignKeys: [serverFk('mcp_access_endpoints', ['workspace', 'server_name'])],
      indexes: [{ name: 'ix_mcp_access_endpoints_version', columns: ['workspace', 'server_name', 'server_version'] }],
    },
  ];
}

const migration: Migration = {
  revision: 'a8b9c0d1e2f3',
  downRevision: 'c3d9e7f1a2b4',
  slug: 'add-mcp-server-registry-tables',
  async up({ ddl }) {
    for (const t of mcpTables(T.varchar)) await ddl.createTable(t);
  },
};
export default migration;

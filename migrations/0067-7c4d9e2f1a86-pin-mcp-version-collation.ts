/**
 * 7c4d9e2f1a86: the MCP version columns compare case-sensitively (SemVer prereleases `1.0.0-A` and
 * `1.0.0-a` are two versions): utf8mb4_bin on MySQL, SQL_Latin1_General_CP1_CS_AS on SQL Server; a no-op
 * on SQLite and PostgreSQL, whose VARCHARs already compare case-sensitively. MySQL and SQL Server refuse
 * an FK whose two sides disagree on collation, so mcp_server_version_tags' FK to mcp_server_versions is
 * dropped first and re-created once both sides match. SQL Server also refuses to alter a column a
 * primary key or an index covers (error 5074): there the two tables' primary keys and
 * ix_mcp_access_endpoints_version are dropped around their ALTERs and re-created after (alterKeyColumn),
 * in MLflow's order. Followed: mlflow/mlflow @ d1ae7e0d5bf60f6f33bbebad675dc5f1a152d715.
 */
import { T, type Migration } from '../src/stores/sql/migrate/ddl.js';
import { mcpTables } from './0062-a8b9c0d1e2f3-add-mcp-server-registry-tables.js';

export const mcpTables67 = mcpTables(T.caseSensitiveVarchar);
const spec = (name: string) => mcpTables67.find((t) => t.name === name)!;

const migration: Migration = {
  revision: '7c4d9e2f1a86',
  downRevision: 'b7e2c1a4d9f3',
  slug: 'pin-mcp-version-collation',
  async up({ ddl }) {
    const versions = spec('mcp_server_versions');
    const tags = spec('mcp_server_version_tags');
    const pending =
      !(await ddl.satisfied(versions, { column: 'version' })) || !(await ddl.satisfied(tags, { column: 'version' }));
    if (pending) {
      await ddl.dropForeignKeysTo('mcp_server_version_tags', 'mcp_server_versions');
      await ddl.alterKeyColumn(versions, 'version');
      await ddl.alterKeyColumn(tags, 'version');
    }
    await ddl.addForeignKey('mcp_server_version_tags', tags.foreignKeys![0]!);
    await ddl.alterTable(spec('mcp_server_aliases'), [{ column: 'version' }]);
    await ddl.alterKeyColumn(spec('mcp_access_endpoints'), 'server_version');
  },
};
export default migration;

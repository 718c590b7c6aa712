/**
 * SQL Server, compiled: 7c4d9e2f1a86 against a recorded database at b7e2c1a4d9f3 (MCP version columns
 * VARCHAR(128) in the server's case-insensitive collation). SQL Server refuses to ALTER a column that a
 * primary key or an index covers (error 5074) and an FK whose sides disagree on collation, so MLflow's
 * migration drops the tags FK, each primary key and ix_mcp_access_endpoints_version around its ALTER
 * and re-creates them after. The fake catalog follows the DDL it is sent, so a step that would fail on
 * a server (altering a key column) or one left undone (a key not re-created) shows in the test.
 */
import { CompiledQuery, Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler, type DatabaseConnection, type QueryResult } from 'kysely';
import { describe, expect, it } from 'vitest';
import { mssqlDialect } from '../../src/stores/sql/dialects/mssql/index.js';
import { migrationContext } from '../../src/stores/sql/migrate/ddl.js';
import migration from '../../migrations/0067-7c4d9e2f1a86-pin-mcp-version-collation.js';

const CI = 'SQL_Latin1_General_CP1_CI_AS';
const CS = 'SQL_Latin1_General_CP1_CS_AS';

/** The MCP tables at b7e2c1a4d9f3, as far as 7c4d9e2f1a86 looks at them. */
function previousRevision() {
  const col = (name: string, nullable = false) => ({ name, type: 'varchar', len: 128, nullable: nullable ? 'YES' : 'NO', dflt: null, coll: CI });
  return {
    columns: new Map([
      ['mcp_server_versions', [col('version')]],
      ['mcp_server_version_tags', [col('version')]],
      ['mcp_server_aliases', [col('version')]],
      ['mcp_access_endpoints', [col('server_version', true)]],
    ]),
    pks: new Map<string, { name: string; columns: string[] } | undefined>([
      ['mcp_server_versions', { name: 'mcp_server_versions_pk', columns: ['workspace', 'name', 'version'] }],
      ['mcp_server_version_tags', { name: 'mcp_server_version_tags_pk', columns: ['workspace', 'name', 'version', 'key'] }],
    ]),
    fks: new Map([['mcp_server_version_tags', ['mcp_server_version_tags_version_fkey']]]),
    indexes: new Map([['mcp_access_endpoints', ['ix_mcp_access_endpoints_version']]]),
  };
}

/** A driver that answers the catalog from `state`, applies the DDL it is sent to it, and refuses what SQL Server refuses. */
function recordingServer(log: string[]): Kysely<any> {
  const s = previousRevision();
  const run = (q: CompiledQuery): unknown[] => {
    const text = q.sql;
    const table = String(q.parameters[0] ?? '');
    if (/^\s*select/i.test(text)) {
      if (text.includes('INFORMATION_SCHEMA.COLUMNS')) return s.columns.get(table) ?? [];
      if (text.includes("CONSTRAINT_TYPE = 'PRIMARY KEY'")) {
        const pk = s.pks.get(table);
        return pk ? pk.columns.map((name) => ({ cname: pk.name, name })) : [];
      }
      if (text.includes('sys.foreign_keys')) {
        return (s.fks.get(table) ?? []).flatMap((name) =>
          ['workspace', 'name', 'version'].map((c) => ({ name, reftable: 'mcp_server_versions', del: 'CASCADE', upd: 'CASCADE', col: c })),
        );
      }
      if (text.includes('from sys.indexes where')) return (s.indexes.get(table) ?? []).map((name) => ({ name }));
      return [];
    }
    log.push(text);
    let m: RegExpExecArray | null;
    if ((m = /^ALTER TABLE \[(\w+)\] ALTER COLUMN \[(\w+)\] VARCHAR\(128\) COLLATE (\w+)/.exec(text))) {
      const [, t, c, coll] = m as unknown as [string, string, string, string];
      if (s.pks.get(t)?.columns.includes(c)) throw new Error(`5074: the object '${s.pks.get(t)!.name}' is dependent on column '${c}'`);
      if ((s.indexes.get(t) ?? []).length && t === 'mcp_access_endpoints') throw new Error(`5074: the index is dependent on column '${c}'`);
      if (t === 'mcp_server_versions' && (s.fks.get('mcp_server_version_tags') ?? []).length) throw new Error('5074: a foreign key references the column');
      s.columns.get(t)!.find((x) => x.name === c)!.coll = coll;
    } else if ((m = /^ALTER TABLE \[(\w+)\] DROP CONSTRAINT \[(\w+)\]/.exec(text))) {
      const [, t, name] = m as unknown as [string, string, string];
      if (s.pks.get(t)?.name === name) s.pks.set(t, undefined);
      else s.fks.set(t, (s.fks.get(t) ?? []).filter((x) => x !== name));
    } else if ((m = /^ALTER TABLE \[(\w+)\] ADD CONSTRAINT \[(\w+)\] PRIMARY KEY \((.*)\)/.exec(text))) {
      s.pks.set(m[1]!, { name: m[2]!, columns: m[3]!.replace(/[[\]\s]/g, '').split(',') });
    } else if ((m = /^ALTER TABLE \[(\w+)\] ADD CONSTRAINT \[(\w+)\] FOREIGN KEY/.exec(text))) {
      if (s.columns.get('mcp_server_versions')![0]!.coll !== s.columns.get('mcp_server_version_tags')![0]!.coll) throw new Error('1778: collations differ across the FK');
      s.fks.set(m[1]!, [...(s.fks.get(m[1]!) ?? []), m[2]!]);
    } else if ((m = /^DROP INDEX \[(\w+)\] ON \[(\w+)\]/.exec(text))) {
      s.indexes.set(m[2]!, (s.indexes.get(m[2]!) ?? []).filter((x) => x !== m![1]));
    } else if ((m = /^CREATE INDEX \[(\w+)\] ON \[(\w+)\]/.exec(text))) {
      s.indexes.set(m[2]!, [...(s.indexes.get(m[2]!) ?? []), m[1]!]);
    }
    return [];
  };
  const conn: DatabaseConnection = {
    async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      return { rows: run(q) as R[] };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('not used');
    },
  };
  return new Kysely<any>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => ({
        init: async () => undefined,
        acquireConnection: async () => conn,
        beginTransaction: async () => undefined,
        commitTransaction: async () => undefined,
        rollbackTransaction: async () => undefined,
        releaseConnection: async () => undefined,
        destroy: async () => undefined,
      }),
      createIntrospector: (db) => new MssqlIntrospector(db),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
  });
}

describe('7c4d9e2f1a86 compiled for SQL Server', () => {
  it("cycles the FK, both primary keys and ix_mcp_access_endpoints_version around the collation change, in MLflow's order", async () => {
    const log: string[] = [];
    await migration.up(migrationContext(recordingServer(log), mssqlDialect));
    expect(log).toEqual([
      'ALTER TABLE [mcp_server_version_tags] DROP CONSTRAINT [mcp_server_version_tags_version_fkey]',
      'ALTER TABLE [mcp_server_versions] DROP CONSTRAINT [mcp_server_versions_pk]',
      `ALTER TABLE [mcp_server_versions] ALTER COLUMN [version] VARCHAR(128) COLLATE ${CS} NOT NULL`,
      'ALTER TABLE [mcp_server_versions] ADD CONSTRAINT [mcp_server_versions_pk] PRIMARY KEY ([workspace], [name], [version])',
      'ALTER TABLE [mcp_server_version_tags] DROP CONSTRAINT [mcp_server_version_tags_pk]',
      `ALTER TABLE [mcp_server_version_tags] ALTER COLUMN [version] VARCHAR(128) COLLATE ${CS} NOT NULL`,
      'ALTER TABLE [mcp_server_version_tags] ADD CONSTRAINT [mcp_server_version_tags_pk] PRIMARY KEY ([workspace], [name], [version], [key])',
      'ALTER TABLE [mcp_server_version_tags] ADD CONSTRAINT [mcp_server_version_tags_version_fkey] FOREIGN KEY ([workspace], [name], [version]) ' +
        'REFERENCES [mcp_server_versions] ([workspace], [name], [version]) ON DELETE CASCADE ON UPDATE CASCADE',
      `ALTER TABLE [mcp_server_aliases] ALTER COLUMN [version] VARCHAR(128) COLLATE ${CS} NOT NULL`,
      'DROP INDEX [ix_mcp_access_endpoints_version] ON [mcp_access_endpoints]',
      `ALTER TABLE [mcp_access_endpoints] ALTER COLUMN [server_version] VARCHAR(128) COLLATE ${CS} NULL`,
      'CREATE INDEX [ix_mcp_access_endpoints_version] ON [mcp_access_endpoints] ([workspace], [server_name], [server_version])',
    ]);
  });

  it('changes nothing when run again', async () => {
    const log: string[] = [];
    const db = recordingServer(log);
    await migration.up(migrationContext(db, mssqlDialect));
    log.length = 0;
    await migration.up(migrationContext(db, mssqlDialect));
    expect(log).toEqual([]);
  });
});

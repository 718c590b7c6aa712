/**
 * SQL Server: every migration compiled against a recording driver (no server here), checking that
 * every constraint is named and the types are MLflow's; a full run against a live server when
 * MLF_TEST_MSSQL_URI is set.
 */
import { Kysely, MssqlAdapter, MssqlIntrospector, MssqlQueryCompiler, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { describe, expect, it } from 'vitest';
import { mssqlDialect } from '../../src/stores/sql/dialects/mssql/index.js';
import { migrationContext } from '../../src/stores/sql/migrate/ddl.js';
import { MIGRATIONS } from '../../migrations/index.js';

function recordingDb(log: string[]): Kysely<any> {
  const conn: DatabaseConnection = {
    async executeQuery<R>(q: { sql: string }): Promise<QueryResult<R>> {
      log.push(q.sql);
      // The catalog: no tables, but every altered or renamed column exists as an INT, so alter steps
      // compile to ALTER COLUMN (as on a real database at the previous revision) rather than ADD.
      if (q.sql.includes('INFORMATION_SCHEMA.COLUMNS')) {
        const names = ['value', 'status', 'run_id', 'dataset_schema', 'function_fullname'];
        return { rows: names.map((name) => ({ name, type: 'int', len: null, nullable: 'YES', dflt: null })) as R[] };
      }
      // Indexes that later revisions drop exist, so the drops compile (their creation is skipped).
      if (q.sql.includes('sys.indexes')) {
        return { rows: ['index_jobs_function_status_creation_time', 'unique_endpoint_model_mapping'].map((name) => ({ name })) as R[] };
      }
      return { rows: [] };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('not used');
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => conn,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  return new Kysely<any>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new MssqlIntrospector(db),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
  });
}

async function compileAll(): Promise<string[]> {
  const log: string[] = [];
  const db = recordingDb(log);
  for (const m of MIGRATIONS) await m.up(migrationContext(db, mssqlDialect));
  return log.filter((s) => !/^\s*select\b/i.test(s));
}

describe('migrations compiled for SQL Server', () => {
  it('names every constraint (PK, FK, CHECK, UNIQUE, DEFAULT): SQL Server never makes up a name', async () => {
    const ddl = await compileAll();
    expect(ddl.length).toBeGreaterThan(30);
    // CREATE UNIQUE INDEX names its index itself; only constraints are checked here.
    for (const s of ddl.map((x) => x.replace(/^CREATE UNIQUE INDEX /, 'CREATE INDEX '))) {
      const re = /(PRIMARY KEY|FOREIGN KEY|CHECK|UNIQUE|DEFAULT)\b/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(s))) {
        const before = s.slice(0, m.index);
        expect(before, s).toMatch(/CONSTRAINT \[\w+\] $/);
      }
    }
  });

  it("uses MLflow's names and SQL Server types", async () => {
    const all = (await compileAll()).join('\n');
    expect(all).toContain('[experiment_id] INTEGER IDENTITY(1,1) NOT NULL');
    expect(all).toContain('CONSTRAINT [experiment_pk] PRIMARY KEY ([experiment_id])');
    expect(all).toContain('CONSTRAINT [experiments_name_key] UNIQUE ([name])');
    expect(all).toContain('CONSTRAINT [runs_experiment_id_fkey] FOREIGN KEY ([experiment_id]) REFERENCES [experiments] ([experiment_id])');
    expect(all).toContain("CONSTRAINT [runs_status_check] CHECK ([status] IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED'))");
    expect(all).toContain("ALTER TABLE [metrics] ADD [is_nan] BIT CONSTRAINT [metrics_is_nan_default] DEFAULT '0' NOT NULL");
    expect(all).toContain("ALTER TABLE [metrics] ADD [step] BIGINT CONSTRAINT [metrics_step_default] DEFAULT '0' NOT NULL");
    expect(all).toContain('ALTER TABLE [metrics] ALTER COLUMN [value] FLOAT(53) NOT NULL');
    expect(all).toContain('ALTER TABLE [params] ALTER COLUMN [value] VARCHAR(8000) NOT NULL');
    expect(all).toContain('ALTER TABLE [tags] ALTER COLUMN [value] VARCHAR(8000) NULL');
    expect(all).toContain('[dataset_source] VARCHAR(max) NOT NULL');
    expect(all).toContain('CONSTRAINT [fk_trace_tags_request_id] FOREIGN KEY ([request_id]) REFERENCES [trace_info] ([request_id]) ON DELETE CASCADE');
    expect(all).toContain('CONSTRAINT [registered_model_alias_name_fkey] FOREIGN KEY ([name]) REFERENCES [registered_models] ([name]) ON DELETE CASCADE ON UPDATE CASCADE');
    expect(all).toContain('CONSTRAINT [metric_pk] PRIMARY KEY ([key], [timestamp], [step], [run_uuid], [value], [is_nan])');
    // MLflow's SQL Server database has no UNIQUE duplicating registered_models' primary key.
    expect(all).not.toMatch(/registered_models_name_key/);
  });

  it("writes MLflow 3's JSON and binary columns, UNIQUE indexes, the job rename and the secrets trigger its SQL Server way", async () => {
    const all = (await compileAll()).join('\n');
    expect(all).toContain('[inputs] NVARCHAR(max) NOT NULL');
    expect(all).toContain('ALTER TABLE [spans] ADD [dimension_attributes] NVARCHAR(max)');
    expect(all).toContain('[encrypted_value] VARBINARY(max) NOT NULL');
    expect(all).toContain('CONSTRAINT [unique_dataset_input] UNIQUE ([dataset_id], [input_hash])');
    expect(all).toContain('CREATE UNIQUE INDEX [unique_secret_name] ON [secrets] ([secret_name])');
    expect(all).toContain('DROP INDEX [unique_endpoint_model_mapping] ON [endpoint_model_mappings]');
    expect(all).toContain("EXEC sp_rename 'jobs.function_fullname', 'job_name', 'COLUMN'");
    expect(all).toContain('CONSTRAINT [fk_endpoints_experiment_id] FOREIGN KEY ([experiment_id]) REFERENCES [experiments] ([experiment_id]) ON DELETE SET NULL');
    expect(all).toContain("[usage_tracking] BIT CONSTRAINT [endpoints_usage_tracking_default] DEFAULT '0' NOT NULL");
    // No BEFORE UPDATE on SQL Server: an AFTER trigger rolls the update back.
    expect(all).toMatch(/CREATE TRIGGER \[prevent_secrets_aad_mutation\] ON \[secrets\] AFTER UPDATE AS[\s\S]*i\.\[secret_id\] != d\.\[secret_id\] OR i\.\[secret_name\] != d\.\[secret_name\][\s\S]*RAISERROR\('secret_id and secret_name are immutable \(used as AAD in encryption\)', 16, 1\);\s+ROLLBACK TRANSACTION;/);
  });
});

describe.skipIf(!process.env.MLF_TEST_MSSQL_URI)('migrations on a live SQL Server (MLF_TEST_MSSQL_URI)', () => {
  it('creates the schema at head and then has nothing pending', async () => {
    const { connectSql } = await import('../../src/stores/sql/connect.js');
    const { parseDbUri } = await import('../../src/tracking/uri.js');
    const { upgrade, schemaStatus, HEAD_REVISION } = await import('../../src/stores/sql/migrate/index.js');
    const conn = await connectSql(parseDbUri(process.env.MLF_TEST_MSSQL_URI!));
    try {
      const r = await upgrade(conn);
      expect(r.to).toBe(HEAD_REVISION);
      expect((await schemaStatus(conn)).pending).toEqual([]);
    } finally {
      await conn.close();
    }
  });
});

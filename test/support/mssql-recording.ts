/**
 * SQL Server without a server: Kysely's mssql compiler over a driver that records every statement,
 * for the tests that check the SQL mlf sends to SQL Server.
 */
import {
  CompiledQuery,
  Kysely,
  MssqlAdapter,
  MssqlIntrospector,
  MssqlQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';

/** A driver that records every statement and answers with `respond` (no rows by default). */
export class RecordingDriver implements Driver {
  readonly log: CompiledQuery[] = [];
  constructor(private readonly respond: (q: CompiledQuery) => unknown[] = () => []) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const log = this.log;
    const respond = this.respond;
    return {
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        log.push(q);
        return { rows: respond(q) as R[], numAffectedRows: 0n };
      },
      // eslint-disable-next-line require-yield
      async *streamQuery() {
        throw new Error('not used');
      },
    };
  }
  async beginTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('begin transaction'));
  }
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection() {}
  async destroy() {}
}

export function mssqlDb(driver = new RecordingDriver()) {
  const db = new Kysely<any>({
    dialect: {
      createAdapter: () => new MssqlAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new MssqlIntrospector(k),
      createQueryCompiler: () => new MssqlQueryCompiler(),
    },
  });
  return { db, driver };
}

/** Whitespace collapsed, and Kysely's "quoted" identifiers shown as SQL Server's [bracketed] ones. */
export const norm = (s: string) => s.replace(/\s+/g, ' ').replace(/"([^"]*)"/g, '[$1]').trim();

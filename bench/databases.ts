/**
 * Fresh, empty PostgreSQL and MySQL databases for the benches, and a raw driver connection to each
 * (the floor a store is measured against). Servers: MLF_BENCH_PG_URI (default the machine's
 * postgres@127.0.0.1:5432) and MLF_BENCH_MYSQL_URI (default root@127.0.0.1:3306).
 */
import crypto from 'node:crypto';

export type BenchDialect = 'postgresql' | 'mysql';

const PG_ADMIN = process.env.MLF_BENCH_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const MYSQL_ADMIN = process.env.MLF_BENCH_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/';

export interface BenchDatabase {
  dialect: BenchDialect;
  uri: string;
  drop(): Promise<void>;
}

/** One raw connection; SQL is written with `?` placeholders and rewritten for pg. */
export interface RawConn {
  query(text: string, params?: unknown[]): Promise<any[]>;
  close(): Promise<void>;
}

export async function createBenchDatabase(dialect: BenchDialect): Promise<BenchDatabase> {
  const name = `mlf_bench_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = await rawConnect(dialect, dialect === 'postgresql' ? PG_ADMIN : MYSQL_ADMIN);
  await admin.query(dialect === 'postgresql' ? `create database ${name}` : `create database ${name} character set utf8mb4 collate utf8mb4_general_ci`);
  await admin.close();
  const u = new URL(dialect === 'postgresql' ? PG_ADMIN : MYSQL_ADMIN);
  u.pathname = `/${name}`;
  return {
    dialect,
    uri: u.toString(),
    drop: async () => {
      const a = await rawConnect(dialect, dialect === 'postgresql' ? PG_ADMIN : MYSQL_ADMIN);
      await a.query(dialect === 'postgresql' ? `drop database if exists ${name} with (force)` : `drop database if exists ${name}`);
      await a.close();
    },
  };
}

export async function rawConnect(dialect: BenchDialect, uri: string): Promise<RawConn> {
  if (dialect === 'postgresql') {
    const pg = (await import('pg')).default;
    pg.types.setTypeParser(20, (v: string) => Number(v));
    const c = new pg.Client({ connectionString: uri });
    await c.connect();
    return {
      query: async (text, params) => {
        let n = 0;
        return (await c.query(text.replace(/\?/g, () => `$${++n}`), params as unknown[])).rows;
      },
      close: () => c.end(),
    };
  }
  const mysql = await import('mysql2/promise');
  const u = new URL(uri);
  const c = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password) || undefined,
    database: u.pathname.slice(1) || undefined,
    supportBigNumbers: true,
  });
  return {
    query: async (text, params) => {
      // `key` is a reserved word in MySQL: the bench's SQL names the column bare.
      const [rows] = await c.query(text.replace(/(?<![`\w])(?<!duplicate )key(?![`\w])/g, '`key`'), params);
      return Array.isArray(rows) ? (rows as any[]) : [];
    },
    close: () => c.end(),
  };
}

/** A raw connection to a SQLite file, foreign keys on as mlf's (and MLflow's) sessions have them. */
export async function rawSqlite(file: string): Promise<RawConn> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  db.pragma('busy_timeout = 20000');
  db.pragma('foreign_keys = ON');
  // As mlf's own connections: a WAL file commits without waiting for the disk (synchronous NORMAL).
  db.pragma(`synchronous = ${String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal' ? 'NORMAL' : 'FULL'}`);
  const prepared = new Map<string, import('better-sqlite3').Statement<unknown[]>>();
  return {
    query: async (text, params = []) => {
      let st = prepared.get(text);
      if (!st) prepared.set(text, (st = db.prepare(text)));
      if (st.reader) return st.all(...params);
      st.run(...params);
      return [];
    },
    close: async () => {
      db.close();
    },
  };
}

/**
 * Real databases for tests: each call makes a fresh, empty database on the machine's PostgreSQL or
 * MariaDB (or a temp SQLite file) and returns its URI and a function that drops it.
 *
 * Under CI=true a server that cannot be reached fails the suite; elsewhere the suite is skipped
 * with a printed reason. MLF_TEST_DIALECTS=sqlite,postgresql narrows the dialect loop.
 * SQL Server runs only when MLF_TEST_MSSQL_URI points at a server (its database is used as given
 * and is emptied by the tests' own migrations).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

export type TestDialect = 'sqlite' | 'postgresql' | 'mysql' | 'mssql';

export const PG_ADMIN_URI = process.env.MLF_TEST_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URI = process.env.MLF_TEST_MYSQL_URI ?? 'mysql://root@127.0.0.1:3306/';

export interface TestDatabase {
  dialect: TestDialect;
  uri: string;
  drop(): Promise<void>;
}

const reachable = new Map<TestDialect, Promise<string | null>>();

/** null if the server answers, else the reason it does not. */
export function unavailableReason(dialect: TestDialect): Promise<string | null> {
  let p = reachable.get(dialect);
  if (!p) {
    p = probe(dialect);
    reachable.set(dialect, p);
  }
  return p;
}

async function probe(dialect: TestDialect): Promise<string | null> {
  try {
    if (dialect === 'sqlite') return null;
    if (dialect === 'postgresql') {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: PG_ADMIN_URI, connectionTimeoutMillis: 3000 });
      await c.connect();
      await c.end();
      return null;
    }
    if (dialect === 'mysql') {
      const mysql = await import('mysql2/promise');
      const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 3000 });
      await c.end();
      return null;
    }
    return process.env.MLF_TEST_MSSQL_URI ? null : 'MLF_TEST_MSSQL_URI is not set';
  } catch (e) {
    return `${dialect} is not reachable: ${(e as Error).message}`;
  }
}

/** The dialects to run a suite on: sqlite, postgresql, mysql (+ mssql when configured). */
export function testDialects(): TestDialect[] {
  const all: TestDialect[] = ['sqlite', 'postgresql', 'mysql'];
  if (process.env.MLF_TEST_MSSQL_URI) all.push('mssql');
  const only = process.env.MLF_TEST_DIALECTS?.split(',').map((s) => s.trim());
  return only ? all.filter((d) => only.includes(d)) : all;
}

/**
 * For `describe.skipIf`-style gating: returns true when the suite must be skipped (printing why),
 * and throws under CI=true, where an unreachable server is a failure.
 */
export async function skipUnlessAvailable(dialect: TestDialect): Promise<boolean> {
  const reason = await unavailableReason(dialect);
  if (!reason) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  console.warn(`[skip] ${reason}`);
  return true;
}

function uniqueName(): string {
  return `mlf_t_${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`;
}

export function tempDir(prefix = 'mlf-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const name = uniqueName();
  if (dialect === 'sqlite') {
    const dir = tempDir();
    const file = path.join(dir, 'mlflow.db');
    return { dialect, uri: `sqlite:///${file}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (dialect === 'postgresql') {
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URI });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const base = new URL(PG_ADMIN_URI);
    base.pathname = `/${name}`;
    return {
      dialect,
      uri: base.toString(),
      drop: async () => {
        const a = new pg.Client({ connectionString: PG_ADMIN_URI });
        await a.connect();
        await a.query(`drop database if exists ${name} with (force)`);
        await a.end();
      },
    };
  }
  if (dialect === 'mysql') {
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_general_ci`);
    await admin.end();
    return {
      dialect,
      uri: `mysql://root@127.0.0.1:3306/${name}`,
      drop: async () => {
        const a = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
        await a.query(`drop database if exists ${name}`);
        await a.end();
      },
    };
  }
  const uri = process.env.MLF_TEST_MSSQL_URI;
  if (!uri) throw new Error('MLF_TEST_MSSQL_URI is not set');
  return { dialect, uri, drop: async () => undefined };
}

/** Fixture paths (read-only: copy before writing). */
export const FIXTURES = process.env.MLF_FIXTURES ?? fileURLToPath(new URL('../../../shared/fixtures/mlflow', import.meta.url));

/** Copy a fixture file or folder into a fresh temp dir; returns the copy's path. */
export function copyFixture(name: string): string {
  const dir = tempDir('mlf-fixture-');
  const dest = path.join(dir, path.basename(name));
  fs.cpSync(path.join(FIXTURES, name), dest, { recursive: true });
  // Fixtures are read-only on CI: make the copy writable.
  const chmod = (p: string) => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const f of fs.readdirSync(p)) chmod(path.join(p, f));
  };
  chmod(dest);
  return dest;
}

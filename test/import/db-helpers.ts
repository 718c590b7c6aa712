/**
 * Helpers for the import tests that work on databases directly: scratch databases and folders dropped
 * once the file's tests end, a connection for the length of a callback, a table's row count.
 */
import fs from 'node:fs';
import { afterAll } from 'vitest';
import { connectSql } from '../../src/stores/sql/connect.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import type { TestDatabase } from '../support/databases.js';

/** Lists to push scratch databases and folders on; emptied (dropped, removed) after the file's tests. */
export function scratch(): { dbs: TestDatabase[]; dirs: string[] } {
  const dbs: TestDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop().catch(() => undefined);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return { dbs, dirs };
}

type Conn = Awaited<ReturnType<typeof connectSql>>;

export async function withDb<T>(uri: string, f: (c: Conn) => Promise<T>): Promise<T> {
  const conn = await connectSql(parseDbUri(uri));
  try {
    return await f(conn);
  } finally {
    await conn.close();
  }
}

export const count = (uri: string, table: string) =>
  withDb(uri, async ({ db }) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));

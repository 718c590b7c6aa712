/**
 * A database whose alembic_version names one of MLflow 3's revisions but lacks a table that revision
 * has (a partial restore, a revision stamped by hand) is refused with the table named, by the stores,
 * the upgrade, every command and the server, and nothing is changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectSql } from '../../src/stores/sql/connect.js';
import { schemaStatus, upgrade } from '../../src/stores/sql/migrate/index.js';
import { currentRevision } from '../../src/stores/sql/migrate/head.js';
import { openRegistryStore } from '../../src/stores/sql/registry/index.js';
import { SqlStore } from '../../src/stores/sql/sql-store.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { tempDir } from '../support/databases.js';
import { ensureBuilt, runMlf } from './cli.js';

/** A SQLite database at `rev` built by the chain, without `table`. */
async function withoutTable(rev: string, table: string): Promise<string> {
  const file = path.join(tempDir(), 'mlflow.db');
  const conn = await connectSql(parseDbUri(`sqlite:///${file}`));
  try {
    await upgrade(conn, { to: rev, onBeforeOneWay: async () => true });
    await sql`drop table ${sql.table(table)}`.execute(conn.db);
  } finally {
    await conn.close();
  }
  return file;
}

const CASES: [rev: string, table: string][] = [
  ['6953534de441', 'logged_model_tags'], // MLflow 3.0
  ['a1b2c3d4e5f6', 'spans'],
  ['1b5f0d9ad7c1', 'workspaces'],
  ['7c4d9e2f1a86', 'mcp_access_endpoints'], // the head
];

describe("MLflow 3 revisions missing one of their tables", () => {
  for (const [rev, table] of CASES) {
    it(`refuses ${rev} without ${table} in the stores and the upgrade, naming it, changing nothing`, async () => {
      const file = await withoutTable(rev, table);
      const uri = `sqlite:///${file}`;
      const named = new RegExp(`at revision ${rev} but lacks the table ${table} that revision has`);
      const before = fs.readFileSync(file);
      await expect(SqlStore.open(parseDbUri(uri))).rejects.toThrow(named);
      await expect(SqlStore.open(parseDbUri(uri), { readOnly: true })).rejects.toThrow(named);
      await expect(openRegistryStore(uri)).rejects.toThrow(named);
      const conn = await connectSql(parseDbUri(uri));
      try {
        await expect(schemaStatus(conn)).rejects.toThrow(named);
        await expect(upgrade(conn, { onBeforeOneWay: async () => true })).rejects.toThrow(named);
        expect(await currentRevision(conn.db)).toBe(rev);
      } finally {
        await conn.close();
      }
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    });
  }

  describe('every command and the server, at the head', () => {
    let uri: string;
    beforeAll(async () => {
      ensureBuilt();
      uri = `sqlite:///${await withoutTable('7c4d9e2f1a86', 'spans')}`;
    }, 120_000);

    const commands: [string, () => string[]][] = [
      ['db current', () => ['db', 'current', uri]],
      ['db upgrade', () => ['db', 'upgrade', uri, '--yes']],
      ['experiments list', () => ['experiments', 'list', '--tracking-uri', uri]],
      ['runs list', () => ['runs', 'list', '--tracking-uri', uri, '--experiment-id', '0']],
      ['models list', () => ['models', 'list', '--tracking-uri', uri]],
      ['gc', () => ['gc', '--backend-store-uri', uri]],
      ['server', () => ['server', '--backend-store-uri', uri, '--port', '0']],
    ];
    for (const [name, args] of commands) {
      it(`${name} exits 1 with one line naming the table`, async () => {
        const r = await runMlf(args());
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/at revision 7c4d9e2f1a86 but lacks the table spans that revision has/);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }, 60_000);
    }
  });
});

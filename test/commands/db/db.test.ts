/** `mlf db upgrade` / `mlf db current` end to end: the built binary, spawned. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, tempDir } from '../../support/databases.js';
import { ensureBuilt, runMlf } from '../../migrations/cli.js';
import { sqliteSchema } from '../../migrations/introspect.js';

beforeAll(() => ensureBuilt(), 180_000);

const version = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select version_num from alembic_version').get() as { version_num: string }).version_num;
  } finally {
    db.close();
  }
};

describe('mlf db upgrade', () => {
  it('creates the whole schema in a new SQLite file without asking, exit 0', async () => {
    const file = path.join(tempDir(), 'new.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Upgraded from an empty database to f5a4f2784254 \(28 migration\(s\)\)\./);
    expect(version(file)).toBe('f5a4f2784254');
  });

  it('at head says so and exits 0', async () => {
    const file = copyFixture('sqlite-head.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`]);
    expect([r.code, r.stdout.trim()]).toEqual([0, 'Database is at head f5a4f2784254: nothing to do.']);
  });

  it('without a TTY or --yes refuses the one-way migration, says how to proceed, and changes nothing', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const before = sqliteSchema(file);
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2d6e25af4d3e increase-max-param-val-length cannot be undone/);
    expect(r.stderr).toMatch(/^Error: Migration 2d6e25af4d3e cannot be undone and needs a backup first; nothing was changed\. Re-run with --backup .* or with --yes/m);
    expect(version(file)).toBe('7f2a7d5fae7d');
    expect(sqliteSchema(file)).toEqual(before);
  });

  it('--backup writes a consistent copy beside the file, prints its path, then upgrades', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--backup']);
    expect(r.code).toBe(0);
    const backup = /Backup written to (.*)$/m.exec(r.stdout)?.[1];
    expect(backup).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.backup-7f2a7d5fae7d-\\d{8}T\\d{6}$`));
    expect(fs.existsSync(backup!)).toBe(true);
    expect(version(backup!)).toBe('7f2a7d5fae7d');
    expect(version(file)).toBe('f5a4f2784254');
  });

  it('--dry-run lists the pending migrations and changes nothing', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: '7f2a7d5fae7d', applied: [], pending: expect.arrayContaining(['2d6e25af4d3e increase-max-param-val-length']) });
    expect(JSON.parse(r.stdout).pending).toHaveLength(6);
    expect(version(file)).toBe('7f2a7d5fae7d');
  });

  it('refuses an unknown revision with a message naming it, exit 1, nothing changed', async () => {
    const file = copyFixture('sqlite-head.db');
    const db = new Database(file);
    db.prepare(`update alembic_version set version_num = 'a1b2c3d4e5f6'`).run();
    db.close();
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Database schema revision 'a1b2c3d4e5f6' is not one mlf knows/m);
    expect(version(file)).toBe('a1b2c3d4e5f6');
  });

  it('never prints a password (server URI that cannot connect)', async () => {
    const r = await runMlf(['db', 'upgrade', 'postgresql://u:hunter2@127.0.0.1:1/x', '--yes'], { MLF_CONNECT_RETRIES: '1' });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });
});

describe('mlf db current', () => {
  it('prints the current revision, the head and how many migrations are pending', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const r = await runMlf(['db', 'current', `sqlite:///${file}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Current revision: 7f2a7d5fae7d\nHead revision:    f5a4f2784254\nPending:          6 migration(s)\n');
  });

  it('--json gives the same as an object', async () => {
    const file = copyFixture('sqlite-head.db');
    const r = await runMlf(['db', 'current', `sqlite:///${file}`, '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ current: 'f5a4f2784254', head: 'f5a4f2784254', pending: 0, pendingMigrations: [] });
  });
});

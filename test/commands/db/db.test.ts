/** `mlf db upgrade` / `mlf db current` end to end: the built binary, spawned. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, tempDir } from '../../support/databases.js';
import { ensureBuilt, runMlf } from '../../migrations/cli.js';
import { sqliteSchema } from '../../migrations/introspect.js';
import { HEAD_REVISION, migrationLabel, releasesOf } from '../../../src/stores/sql/migrate/index.js';
import { MIGRATIONS } from '../../../migrations/index.js';

const AFTER_2_17 = MIGRATIONS.slice(MIGRATIONS.findIndex((m) => m.revision === 'f5a4f2784254') + 1);

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
    expect(r.stdout).toMatch(new RegExp(`Upgraded from an empty database to ${HEAD_REVISION} \\(${MIGRATIONS.length} migration\\(s\\)\\)\\.`));
    expect(version(file)).toBe(HEAD_REVISION);
  });

  it('--to 2.17 stops at MLflow 2.17\'s head; at it, says so and exits 0', async () => {
    const file = path.join(tempDir(), 'new.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--to', '2.17']);
    expect(r.code, r.stderr).toBe(0);
    expect(version(file)).toBe('f5a4f2784254');
    const again = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--to', 'f5a4f2784254']);
    expect([again.code, again.stdout.trim()]).toEqual([0, 'Database is at f5a4f2784254: nothing to do.']);
  });

  it('--to a release or revision mlf cannot reach, or neither, is refused as bad usage (exit 2), nothing changed', async () => {
    const file = copyFixture('sqlite-head.db');
    for (const [to, msg] of [
      ['nonsense', /'nonsense' is neither an MLflow revision mlf knows nor an MLflow release/],
      ['1.20', /older than 2\.17/],
    ] as const) {
      const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--to', to, '--yes']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
    expect(version(file)).toBe('f5a4f2784254');
  });

  it('from MLflow 2.17 without a TTY or --yes refuses to cross into MLflow 3\'s schema, saying so, and changes nothing', async () => {
    const file = copyFixture('sqlite-head.db');
    const before = sqliteSchema(file);
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/400f98739977 add-logged-model-tables cannot be undone: .*MLflow 2\.x servers refuse to open/);
    expect(r.stderr).toMatch(/^Error: Migration 400f98739977 cannot be undone and needs a backup first; nothing was changed/m);
    expect(version(file)).toBe('f5a4f2784254');
    expect(sqliteSchema(file)).toEqual(before);
  });

  it('from MLflow 2.17 with --yes crosses into MLflow 3\'s schema; at head says so', async () => {
    const file = copyFixture('sqlite-head.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(version(file)).toBe(HEAD_REVISION);
    const again = await runMlf(['db', 'upgrade', `sqlite:///${file}`]);
    expect([again.code, again.stdout.trim()]).toEqual([0, `Database is at head ${HEAD_REVISION}: nothing to do.`]);
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
    expect(version(file)).toBe(HEAD_REVISION);
  });

  it('--dry-run lists the pending migrations and changes nothing', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: '7f2a7d5fae7d', applied: [], pending: expect.arrayContaining(['2d6e25af4d3e increase-max-param-val-length']) });
    expect(JSON.parse(r.stdout).pending).toHaveLength(MIGRATIONS.length - 22);
    expect(JSON.parse(r.stdout).oneWay.map((l: string) => l.split(' ')[0])).toEqual(['2d6e25af4d3e', '400f98739977']);
    expect(version(file)).toBe('7f2a7d5fae7d');
  });

  it('refuses an unknown revision with a message naming it, exit 1, nothing changed', async () => {
    const file = copyFixture('sqlite-head.db');
    const db = new Database(file);
    db.prepare(`update alembic_version set version_num = 'deadbeef1234'`).run();
    db.close();
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Database schema revision 'deadbeef1234' is not one mlf knows/m);
    expect(version(file)).toBe('deadbeef1234');
  });

  it('--to 3.12 stops at the revision MLflow 3.12 runs on', async () => {
    const file = copyFixture('sqlite-head.db');
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--to', '3.12', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(version(file)).toBe('7d34483879f0');
  });

  it('refuses a revision MLflow wrote past the chain mlf knows (a newer MLflow 3), naming it, exit 1, nothing changed', async () => {
    // 75868b020152 (SQL trace analytics) is off the chain ending at 7c4d9e2f1a86, likely MLflow 3.17's next revision.
    const file = copyFixture('sqlite-head.db');
    const db = new Database(file);
    db.prepare(`update alembic_version set version_num = '75868b020152'`).run();
    db.close();
    const r = await runMlf(['db', 'upgrade', `sqlite:///${file}`, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: Database schema revision '75868b020152' is not one mlf knows \(mlf knows MLflow's revisions up to 7c4d9e2f1a86/m);
    expect(version(file)).toBe('75868b020152');
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
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Current revision: 7f2a7d5fae7d (MLflow releases before 2.17)',
      `Head revision:    ${HEAD_REVISION} (${releasesOf(HEAD_REVISION)})`,
      `Pending:          ${MIGRATIONS.length - 22} migration(s)`,
    ]);
    expect(lines).toContain('  2d6e25af4d3e increase-max-param-val-length');
    expect(lines.filter((l) => l.startsWith('One-way: ')).map((l) => l.split(' ')[1])).toEqual(['2d6e25af4d3e', '400f98739977']);
  });

  it('--json gives the same as an object, with the releases on each revision', async () => {
    const file = copyFixture('sqlite-head.db');
    const r = await runMlf(['db', 'current', `sqlite:///${file}`, '--json']);
    expect(JSON.parse(r.stdout)).toEqual({
      current: 'f5a4f2784254',
      currentReleases: 'MLflow 2.17',
      head: HEAD_REVISION,
      headReleases: releasesOf(HEAD_REVISION),
      pending: AFTER_2_17.length,
      pendingMigrations: AFTER_2_17.map(migrationLabel),
      oneWay: [expect.stringMatching(/^400f98739977 add-logged-model-tables: /)],
    });
  });
});

/**
 * The auth database: an existing MLflow `basic_auth.db` (built here with the DDL MLflow's alembic
 * revision 8606fa83a998 emits on SQLite, users hashed by werkzeug's algorithm) is used as it is, and a
 * database mlf creates has the same schema; the store works on every dialect.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuthStore } from '../../../src/server/auth/auth-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects } from '../../support/databases.js';
import { makeAuthServer, type AuthTestServer } from './helpers.js';

const MLFLOW_AUTH_DDL = `
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE users (
	id INTEGER NOT NULL,
	username VARCHAR(255),
	password_hash VARCHAR(255),
	is_admin BOOLEAN,
	PRIMARY KEY (id),
	UNIQUE (username)
);
CREATE TABLE experiment_permissions (
	id INTEGER NOT NULL,
	experiment_id VARCHAR(255) NOT NULL,
	user_id INTEGER NOT NULL,
	permission VARCHAR(255),
	PRIMARY KEY (id),
	CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id),
	CONSTRAINT unique_experiment_user UNIQUE (experiment_id, user_id)
);
CREATE TABLE registered_model_permissions (
	id INTEGER NOT NULL,
	name VARCHAR(255) NOT NULL,
	user_id INTEGER NOT NULL,
	permission VARCHAR(255),
	PRIMARY KEY (id),
	CONSTRAINT fk_user_id FOREIGN KEY(user_id) REFERENCES users (id),
	CONSTRAINT unique_name_user UNIQUE (name, user_id)
);
INSERT INTO alembic_version (version_num) VALUES ('8606fa83a998');
`;

// werkzeug-format hashes computed with Python's hashlib: admin/admin (pbkdf2 sha512), alice/s3crét (scrypt).
const ADMIN_HASH = 'pbkdf2:sha512:2000$XYZ$fcea11aa54ad2a3d7ba2dd8f681a05fcebe705c9d9efd516fa17472c61cedf449ac7f5bd387ff9c889d0babd1de47c9cdeffc1122277e548adb0938205082e94';
const ALICE_HASH = 'scrypt:32768:8:1$abcdefghij012345$107327715f2a07b1a15ab9d65ef13c7c1c6081602d0c3e74a0001372ebad095e1fdd953a7aa755822fa7e3b5fdc83f6348d3c4f6165a5c047c630224758a363b';

function schemaOf(file: string): { tables: Record<string, unknown>; version: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const tables: Record<string, unknown> = {};
    for (const t of ['users', 'experiment_permissions', 'registered_model_permissions', 'alembic_version']) {
      tables[t] = {
        columns: db.prepare(`pragma table_info(${t})`).all().map((c: any) => [c.name, c.type.toUpperCase(), c.notnull, c.pk]),
        fks: db.prepare(`pragma foreign_key_list(${t})`).all().map((f: any) => [f.from, f.table, f.to]),
        unique: db
          .prepare(`pragma index_list(${t})`)
          .all()
          .filter((i: any) => i.unique && i.origin === 'u')
          .map((i: any) => db.prepare(`pragma index_info(${JSON.stringify(i.name)})`).all().map((c: any) => c.name).join(','))
          .sort(),
      };
    }
    return { tables, version: db.prepare('select version_num from alembic_version').all().map((r: any) => r.version_num) };
  } finally {
    db.close();
  }
}

describe("an MLflow basic_auth.db, used as it is", () => {
  let dir: string;
  let file: string;
  let srv: AuthTestServer;

  beforeAll(async () => {
    dir = tempDir('mlf-auth-mlflowdb-');
    file = path.join(dir, 'basic_auth.db');
    const db = new Database(file);
    db.exec(MLFLOW_AUTH_DDL);
    db.prepare('insert into users (id, username, password_hash, is_admin) values (?, ?, ?, ?)').run(1, 'admin', ADMIN_HASH, 1);
    db.prepare('insert into users (id, username, password_hash, is_admin) values (?, ?, ?, ?)').run(2, 'alice', ALICE_HASH, 0);
    db.prepare('insert into experiment_permissions (experiment_id, user_id, permission) values (?, ?, ?)').run('0', 2, 'NO_PERMISSIONS');
    db.close();
    srv = await makeAuthServer({ authDbUri: `sqlite:///${file}` });
  });
  afterAll(async () => {
    await srv?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs in its users with their werkzeug hashes and applies its permissions', async () => {
    const admin = srv.as({ username: 'admin', password: 'admin' });
    const alice = srv.as({ username: 'alice', password: 's3crét' });
    expect((await admin('GET', 'experiments/get', { experiment_id: '0' })).status).toBe(200);
    expect((await alice('GET', 'experiments/get', { experiment_id: '0' })).status).toBe(403);
    expect((await srv.as({ username: 'alice', password: 's3cret' })('GET', 'experiments/search')).status).toBe(401);
    // the admin from the config ('admin') exists already: its stored password is kept
    expect((await srv.as({ username: 'admin', password: 'admin-pw-1' })('GET', 'experiments/search')).status).toBe(401);
    expect((await admin('POST', 'users/create', { username: 'bob', password: 'b' })).status).toBe(200);
    expect((await admin('POST', 'experiments/permissions/create', { experiment_id: '0', username: 'bob', permission: 'EDIT' })).status).toBe(200);
  });

  it('leaves its schema and revision unchanged, and rows written by mlf read as MLflow writes them', () => {
    const after = new Database(file, { readonly: true });
    const bob = after.prepare("select * from users where username = 'bob'").get() as any;
    const perm = after.prepare('select experiment_id, permission from experiment_permissions where user_id = ?').get(bob.id);
    after.close();
    expect(bob.is_admin).toBe(0);
    expect(bob.password_hash).toMatch(/^scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}$/);
    expect(perm).toEqual({ experiment_id: '0', permission: 'EDIT' });

    const ref = path.join(dir, 'ref.db');
    const db = new Database(ref);
    db.exec(MLFLOW_AUTH_DDL);
    db.close();
    expect(schemaOf(file)).toEqual(schemaOf(ref));
  });

  it('creates a new auth database with the same schema as MLflow', async () => {
    const fresh = path.join(dir, 'fresh.db');
    const store = await openAuthStore(`sqlite:///${fresh}`);
    await store.close();
    const ref = path.join(dir, 'ref2.db');
    const db = new Database(ref);
    db.exec(MLFLOW_AUTH_DDL);
    db.close();
    expect(schemaOf(fresh)).toEqual(schemaOf(ref));
  });

  it('refuses an auth database at a revision it does not know, in one line', async () => {
    const odd = path.join(dir, 'odd.db');
    const db = new Database(odd);
    db.exec(MLFLOW_AUTH_DDL.replace("'8606fa83a998'", "'ffffffffffff'"));
    db.close();
    await expect(openAuthStore(`sqlite:///${odd}`)).rejects.toThrow(/^The auth database .* is at revision ffffffffffff, which this mlf does not know; its head is 8606fa83a998\.$/);
  });
});

for (const dialect of testDialects()) {
  describe(`auth store on ${dialect}`, () => {
    it('creates the schema, then users and permissions with MLflow errors, and deletes a user with their permissions', async () => {
      if (await skipUnlessAvailable(dialect)) return;
      const tdb = await createTestDatabase(dialect);
      try {
        const s = await openAuthStore(tdb.uri);
        try {
          await s.createUser('u1', 'pw', true);
          expect((await s.findUser('u1'))?.isAdmin).toBe(true);
          await expect(s.createUser('u1', 'pw')).rejects.toThrow('User (username=u1) already exists.');
          await s.createExperimentPermission('7', 'u1', 'EDIT');
          await expect(s.createExperimentPermission('7', 'u1', 'READ')).rejects.toThrow('Experiment permission (experiment_id=7, username=u1) already exists.');
          await s.createRegisteredModelPermission('m', 'u1', 'READ');
          await s.updateRegisteredModelPermission('m', 'u1', 'MANAGE');
          expect(await s.getUser('u1')).toMatchObject({
            username: 'u1',
            is_admin: true,
            experiment_permissions: [{ experiment_id: '7', permission: 'EDIT' }],
            registered_model_permissions: [{ name: 'm', permission: 'MANAGE' }],
          });
          await s.deleteUser('u1');
          expect(await s.hasUser('u1')).toBe(false);
          expect((await s.experimentPermissionsOf('u1')).size).toBe(0);
        } finally {
          await s.close();
        }
        // opening again finds the schema in place
        await (await openAuthStore(tdb.uri)).close();
      } finally {
        await tdb.drop();
      }
    });
  });
}

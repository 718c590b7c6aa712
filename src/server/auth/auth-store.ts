/**
 * The auth database (users, experiment and registered-model permissions), with MLflow's
 * `SqlAlchemyStore` semantics and messages (mlflow/server/auth/sqlalchemy_store.py). Any database
 * URI the tracking store accepts works (sqlite, postgresql, mysql, mssql).
 *
 * @example
 * const auth = await openAuthStore('sqlite:///basic_auth.db');
 * await auth.createUser('alice', 'pw');
 * await auth.createExperimentPermission('1', 'alice', 'EDIT');
 */
import { MlfError } from '../../lib/errors.js';
import { maskUri, parseDbUri } from '../../tracking/uri.js';
import type { Db, SqlDialect } from '../../stores/sql/dialects/dialect.js';
import { hashPassword } from './passwords.js';
import { validatePermission, type PermissionName } from './permissions.js';
import { migrateAuthDb } from './schema.js';

export interface UserRow {
  id: number;
  username: string;
  passwordHash: string;
  isAdmin: boolean;
}

export interface ExperimentPermission {
  experiment_id: string;
  user_id: number;
  permission: string;
}

export interface RegisteredModelPermission {
  name: string;
  user_id: number;
  permission: string;
}

/** MLflow's `User.to_json()`. */
export interface UserJson {
  id: number;
  username: string;
  is_admin: boolean;
  experiment_permissions: ExperimentPermission[];
  registered_model_permissions: RegisteredModelPermission[];
}

function userNotFound(username: string): MlfError {
  return new MlfError(`User with username=${username} not found`, 'RESOURCE_DOES_NOT_EXIST');
}

function validateUsername(username: string): void {
  if (username === '') throw new MlfError('Username cannot be empty.', 'INVALID_PARAMETER_VALUE');
}

export class AuthStore {
  constructor(
    readonly db: Db,
    readonly dialect: SqlDialect,
    private readonly closeFn: () => Promise<void>,
  ) {}

  close(): Promise<void> {
    return this.closeFn();
  }

  /** The user's row, or undefined (what sign-in needs: one indexed lookup). */
  async findUser(username: string): Promise<UserRow | undefined> {
    const r = await this.db.selectFrom('users').select(['id', 'username', 'password_hash', 'is_admin']).where('username', '=', username).executeTakeFirst();
    return r ? { id: Number(r.id), username: r.username, passwordHash: r.password_hash ?? '', isAdmin: Boolean(Number(r.is_admin)) } : undefined;
  }

  private async user(username: string): Promise<UserRow> {
    const u = await this.findUser(username);
    if (!u) throw userNotFound(username);
    return u;
  }

  async hasUser(username: string): Promise<boolean> {
    return (await this.findUser(username)) !== undefined;
  }

  async createUser(username: string, password: string, isAdmin = false): Promise<UserJson> {
    validateUsername(username);
    const hash = await hashPassword(password);
    try {
      await this.db.insertInto('users').values({ username, password_hash: hash, is_admin: isAdmin ? 1 : 0 }).execute();
    } catch (e) {
      if (this.dialect.isUniqueViolation(e)) throw new MlfError(`User (username=${username}) already exists.`, 'RESOURCE_ALREADY_EXISTS');
      throw e;
    }
    return this.getUser(username);
  }

  async getUser(username: string): Promise<UserJson> {
    const u = await this.user(username);
    const [exp, models] = await Promise.all([
      this.db.selectFrom('experiment_permissions').select(['experiment_id', 'user_id', 'permission']).where('user_id', '=', u.id).orderBy('id').execute(),
      this.db.selectFrom('registered_model_permissions').select(['name', 'user_id', 'permission']).where('user_id', '=', u.id).orderBy('id').execute(),
    ]);
    return {
      id: u.id,
      username: u.username,
      is_admin: u.isAdmin,
      experiment_permissions: exp.map((r) => ({ experiment_id: String(r.experiment_id), user_id: Number(r.user_id), permission: r.permission })),
      registered_model_permissions: models.map((r) => ({ name: r.name, user_id: Number(r.user_id), permission: r.permission })),
    };
  }

  async updateUser(username: string, change: { password?: string; isAdmin?: boolean }): Promise<void> {
    const u = await this.user(username);
    const values: Record<string, unknown> = {};
    if (change.password !== undefined) values.password_hash = await hashPassword(change.password);
    if (change.isAdmin !== undefined) values.is_admin = change.isAdmin ? 1 : 0;
    if (Object.keys(values).length) await this.db.updateTable('users').set(values).where('id', '=', u.id).execute();
  }

  /** Deletes the user and their permission rows (the foreign keys would refuse the user alone). */
  async deleteUser(username: string): Promise<void> {
    const u = await this.user(username);
    await this.dialect.writeTransaction(this.db, async (tx) => {
      await tx.deleteFrom('experiment_permissions').where('user_id', '=', u.id).execute();
      await tx.deleteFrom('registered_model_permissions').where('user_id', '=', u.id).execute();
      await tx.deleteFrom('users').where('id', '=', u.id).execute();
    });
  }

  // ---- experiment permissions ----

  async createExperimentPermission(experimentId: string, username: string, permission: string): Promise<ExperimentPermission> {
    const p = validatePermission(permission);
    const u = await this.user(username);
    try {
      await this.db.insertInto('experiment_permissions').values({ experiment_id: experimentId, user_id: u.id, permission: p }).execute();
    } catch (e) {
      if (this.dialect.isUniqueViolation(e)) {
        throw new MlfError(`Experiment permission (experiment_id=${experimentId}, username=${username}) already exists.`, 'RESOURCE_ALREADY_EXISTS');
      }
      throw e;
    }
    return { experiment_id: experimentId, user_id: u.id, permission: p };
  }

  /** The stored permission, or undefined when the user or the row is missing (the default then applies). */
  async experimentPermissionOf(experimentId: string, username: string): Promise<PermissionName | undefined> {
    const r = await this.db
      .selectFrom('experiment_permissions as p')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .select('p.permission')
      .where('u.username', '=', username)
      .where('p.experiment_id', '=', experimentId)
      .executeTakeFirst();
    return r?.permission ?? undefined;
  }

  async getExperimentPermission(experimentId: string, username: string): Promise<ExperimentPermission> {
    const u = await this.user(username);
    const r = await this.db.selectFrom('experiment_permissions').select(['experiment_id', 'user_id', 'permission']).where('user_id', '=', u.id).where('experiment_id', '=', experimentId).executeTakeFirst();
    if (!r) {
      throw new MlfError(`Experiment permission with experiment_id=${experimentId} and username=${username} not found`, 'RESOURCE_DOES_NOT_EXIST');
    }
    return { experiment_id: String(r.experiment_id), user_id: Number(r.user_id), permission: r.permission };
  }

  /** experiment id → permission, for filtering search results. */
  async experimentPermissionsOf(username: string): Promise<Map<string, PermissionName>> {
    const rows = await this.db
      .selectFrom('experiment_permissions as p')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .select(['p.experiment_id', 'p.permission'])
      .where('u.username', '=', username)
      .execute();
    return new Map(rows.map((r) => [String(r.experiment_id), r.permission]));
  }

  async updateExperimentPermission(experimentId: string, username: string, permission: string): Promise<void> {
    const p = validatePermission(permission);
    const cur = await this.getExperimentPermission(experimentId, username);
    await this.db.updateTable('experiment_permissions').set({ permission: p }).where('user_id', '=', cur.user_id).where('experiment_id', '=', experimentId).execute();
  }

  async deleteExperimentPermission(experimentId: string, username: string): Promise<void> {
    const cur = await this.getExperimentPermission(experimentId, username);
    await this.db.deleteFrom('experiment_permissions').where('user_id', '=', cur.user_id).where('experiment_id', '=', experimentId).execute();
  }

  // ---- registered model permissions ----

  async createRegisteredModelPermission(name: string, username: string, permission: string): Promise<RegisteredModelPermission> {
    const p = validatePermission(permission);
    const u = await this.user(username);
    try {
      await this.db.insertInto('registered_model_permissions').values({ name, user_id: u.id, permission: p }).execute();
    } catch (e) {
      if (this.dialect.isUniqueViolation(e)) {
        throw new MlfError(`Registered model permission (name=${name}, username=${username}) already exists.`, 'RESOURCE_ALREADY_EXISTS');
      }
      throw e;
    }
    return { name, user_id: u.id, permission: p };
  }

  async registeredModelPermissionOf(name: string, username: string): Promise<PermissionName | undefined> {
    const r = await this.db
      .selectFrom('registered_model_permissions as p')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .select('p.permission')
      .where('u.username', '=', username)
      .where('p.name', '=', name)
      .executeTakeFirst();
    return r?.permission ?? undefined;
  }

  async getRegisteredModelPermission(name: string, username: string): Promise<RegisteredModelPermission> {
    const u = await this.user(username);
    const r = await this.db.selectFrom('registered_model_permissions').select(['name', 'user_id', 'permission']).where('user_id', '=', u.id).where('name', '=', name).executeTakeFirst();
    if (!r) throw new MlfError(`Registered model permission with name=${name} and username=${username} not found`, 'RESOURCE_DOES_NOT_EXIST');
    return { name: r.name, user_id: Number(r.user_id), permission: r.permission };
  }

  async registeredModelPermissionsOf(username: string): Promise<Map<string, PermissionName>> {
    const rows = await this.db
      .selectFrom('registered_model_permissions as p')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .select(['p.name', 'p.permission'])
      .where('u.username', '=', username)
      .execute();
    return new Map(rows.map((r) => [r.name, r.permission]));
  }

  async updateRegisteredModelPermission(name: string, username: string, permission: string): Promise<void> {
    const p = validatePermission(permission);
    const cur = await this.getRegisteredModelPermission(name, username);
    await this.db.updateTable('registered_model_permissions').set({ permission: p }).where('user_id', '=', cur.user_id).where('name', '=', name).execute();
  }

  /** Every user's permission on a registered model (after the model is deleted). */
  async deleteRegisteredModelPermissions(name: string): Promise<void> {
    await this.db.deleteFrom('registered_model_permissions').where('name', '=', name).execute();
  }

  async deleteRegisteredModelPermission(name: string, username: string): Promise<void> {
    const cur = await this.getRegisteredModelPermission(name, username);
    await this.db.deleteFrom('registered_model_permissions').where('user_id', '=', cur.user_id).where('name', '=', name).execute();
  }
}

/** Opens (and, if empty, initialises) the auth database; errors are one line with the URI masked. */
export async function openAuthStore(databaseUri: string): Promise<AuthStore> {
  const { connectSql } = await import('../../stores/sql/connect.js');
  let conn;
  try {
    conn = await connectSql(parseDbUri(databaseUri));
  } catch (e) {
    throw new MlfError(`Cannot open the auth database: ${maskUri(String((e as Error)?.message ?? e)).split('\n')[0]}`, 'INVALID_STATE', 1);
  }
  try {
    await migrateAuthDb(conn.db, conn.dialect, maskUri(databaseUri));
  } catch (e) {
    await conn.close().catch(() => undefined);
    if (e instanceof MlfError) throw new MlfError(maskUri(e.message).split('\n')[0]!, e.errorCode, 1);
    throw new MlfError(`Cannot initialise the auth database ${maskUri(databaseUri)}: ${maskUri(String((e as Error)?.message ?? e)).split('\n')[0]}`, 'INVALID_STATE', 1);
  }
  return new AuthStore(conn.db, conn.dialect, conn.close);
}

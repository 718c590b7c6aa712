/**
 * A client for the basic-auth app's endpoints, as MLflow's `AuthServiceClient`
 * (mlflow/server/auth/client.py): the tracking server's URI and the same credentials the HTTP store
 * uses (MLFLOW_TRACKING_USERNAME / _PASSWORD, ~/.mlflow/credentials). Passwords are only ever sent
 * in request bodies; they are never part of a result or a message.
 *
 * @example
 * const c = AuthClient.forTrackingUri('http://mlflow:5000');
 * await c.createUser('alice', password);
 * await c.grantExperiment('alice', '1', 'EDIT');
 */
import { MlfError } from '../lib/errors.js';
import { defaultHostCreds } from '../stores/rest/credentials.js';
import { HttpClient, retryPolicyFromEnv, type Json } from '../stores/rest/http-client.js';
import { uriScheme } from '../tracking/uri.js';

const BASE = '/api/2.0/mlflow';

export interface AuthUser {
  id: number;
  username: string;
  is_admin: boolean;
  experiment_permissions: { experiment_id: string; user_id: number; permission: string }[];
  registered_model_permissions: { name: string; user_id: number; permission: string }[];
}

/** What a permission is on: an experiment (by id) or a registered model (by name). */
export type PermissionTarget = { experimentId: string } | { model: string };

export class AuthClient {
  constructor(private readonly http: HttpClient) {}

  static forTrackingUri(uri: string, env: NodeJS.ProcessEnv = process.env): AuthClient {
    const scheme = uriScheme(uri);
    if (scheme !== 'http' && scheme !== 'https') {
      throw new MlfError(`Users and permissions live on a tracking server: the tracking URI must be http(s)://, got '${uri}'.`, 'INVALID_PARAMETER_VALUE', 2);
    }
    return new AuthClient(new HttpClient(defaultHostCreds(uri, { env }), retryPolicyFromEnv(env)));
  }

  private call(method: string, path: string, fields: Json): Promise<Json> {
    return this.http.call(method, `${BASE}${path}`, fields);
  }

  async createUser(username: string, password: string): Promise<AuthUser> {
    return (await this.call('POST', '/users/create', { username, password })).user as AuthUser;
  }

  async getUser(username: string): Promise<AuthUser> {
    return (await this.call('GET', '/users/get', { username })).user as AuthUser;
  }

  async updatePassword(username: string, password: string): Promise<void> {
    await this.call('PATCH', '/users/update-password', { username, password });
  }

  async updateAdmin(username: string, isAdmin: boolean): Promise<void> {
    await this.call('PATCH', '/users/update-admin', { username, is_admin: isAdmin });
  }

  async deleteUser(username: string): Promise<void> {
    await this.call('DELETE', '/users/delete', { username });
  }

  /** Sets `username`'s permission on the target: created, or updated if the user has one already. */
  async grant(username: string, target: PermissionTarget, permission: string): Promise<{ created: boolean }> {
    const [path, key] = 'experimentId' in target ? ['/experiments/permissions', { experiment_id: target.experimentId }] : ['/registered-models/permissions', { name: target.model }];
    try {
      await this.call('POST', `${path}/create`, { ...key, username, permission });
      return { created: true };
    } catch (e) {
      if (!(e instanceof MlfError) || e.errorCode !== 'RESOURCE_ALREADY_EXISTS') throw e;
    }
    await this.call('PATCH', `${path}/update`, { ...key, username, permission });
    return { created: false };
  }

  async revoke(username: string, target: PermissionTarget): Promise<void> {
    if ('experimentId' in target) await this.call('DELETE', '/experiments/permissions/delete', { experiment_id: target.experimentId, username });
    else await this.call('DELETE', '/registered-models/permissions/delete', { name: target.model, username });
  }
}

/** Reads a whole stream (stdin) as text, without the final newline. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * The new password from `--password` or, better (it stays out of `ps` and shell history), from
 * stdin with `--password-stdin`. Exactly one is required.
 */
export async function passwordFromFlags(flags: { password?: string; 'password-stdin'?: boolean }, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (flags.password !== undefined && flags['password-stdin']) {
    throw new MlfError('Give the password with --password or --password-stdin, not both.', 'INVALID_PARAMETER_VALUE', 2);
  }
  const pw = flags['password-stdin'] ? await readAll(stdin) : flags.password;
  if (pw === undefined || pw === '') throw new MlfError('A password is required: --password-stdin (recommended) or --password.', 'INVALID_PARAMETER_VALUE', 2);
  return pw;
}

/** `--experiment-id` or `--model`, exactly one. */
export function permissionTarget(flags: { 'experiment-id'?: string; model?: string }): PermissionTarget {
  const id = flags['experiment-id'];
  const model = flags.model;
  if ((id === undefined) === (model === undefined)) {
    throw new MlfError('Give exactly one of --experiment-id or --model.', 'INVALID_PARAMETER_VALUE', 2);
  }
  return id !== undefined ? { experimentId: id } : { model: model! };
}

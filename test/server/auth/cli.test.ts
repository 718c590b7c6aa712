/**
 * End to end: `mlf server --app-name basic-auth` as a process, driven by `mlf users` and by the CLI's
 * HTTP store with MLFLOW_TRACKING_USERNAME/_PASSWORD. Needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliBuilt, runCli } from '../../cli/run-cli.js';
import { tempDir } from '../../support/databases.js';

const ADMIN_PW = 'adm1n-Secret-pw';

interface Proc {
  child: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

function serve(args: string[], env: Record<string, string>, cwd: string): Proc {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(MLFLOW_|MLF_(?!TEST)|NODE_OPTIONS|VITEST)/.test(k)) clean[k] = v;
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { child, out: () => out, err: () => err, exited: new Promise((r) => child.on('close', (c) => r(c))) };
}

async function listening(p: Proc): Promise<string> {
  for (const t0 = Date.now(); Date.now() - t0 < 20_000; await new Promise((r) => setTimeout(r, 50))) {
    const m = /Listening at: (\S+)/.exec(p.out());
    if (m) return m[1]!;
    if (p.child.exitCode !== null) throw new Error(`server exited ${p.child.exitCode}: ${p.err()}`);
  }
  throw new Error(`server did not listen: ${p.err()}`);
}

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe.skipIf(!cliBuilt())('mlf server --app-name basic-auth, mlf users and the HTTP store', () => {
  let dir: string;
  let server: Proc;
  let url: string;
  const as = (username: string, password: string) => ({ MLFLOW_TRACKING_USERNAME: username, MLFLOW_TRACKING_PASSWORD: password });
  const admin = as('admin', ADMIN_PW);

  beforeAll(async () => {
    dir = tempDir('mlf-auth-cli-');
    const ini = path.join(dir, 'basic_auth.ini');
    fs.writeFileSync(
      ini,
      `[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///${path.join(dir, 'basic_auth.db')}\nadmin_username = admin\nadmin_password = ${ADMIN_PW}\n`,
    );
    server = serve(['--app-name', 'basic-auth', '--backend-store-uri', `sqlite:///${path.join(dir, 'mlflow.db')}`, '--artifacts-destination', path.join(dir, 'art')], { MLFLOW_AUTH_CONFIG_PATH: ini }, dir);
    url = await listening(server);
  }, 30_000);

  afterAll(async () => {
    for (const c of started) if (c.exitCode === null) c.kill('SIGTERM');
    await server?.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates users from stdin passwords and never prints a password', async () => {
    const created = await runCli(['users', 'create', '-u', 'alice', '--password-stdin', '--tracking-uri', url, '--json'], { input: 'alice-Secret-pw\n', env: admin });
    expect(created.code, created.stderr).toBe(0);
    const user = JSON.parse(created.stdout);
    expect(user).toMatchObject({ username: 'alice', is_admin: false });
    const bob = await runCli(['users', 'create', '-u', 'bob', '--password', 'bob-Secret-pw', '--tracking-uri', url], { env: admin });
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stdout).toContain("Created user 'bob'");
    for (const r of [created, bob]) expect(r.stdout + r.stderr).not.toMatch(/Secret-pw/);
    // only admins create users
    const denied = await runCli(['users', 'create', '-u', 'eve', '--password', 'x', '--tracking-uri', url], { env: as('bob', 'bob-Secret-pw') });
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe('Error: Permission denied');
  });

  it('signs the HTTP store in, applies permissions, and mlf users grant/revoke change them', async () => {
    const alice = as('alice', 'alice-Secret-pw');
    const bob = as('bob', 'bob-Secret-pw');
    const c = await runCli(['experiments', 'create', '-n', 'alice-exp', '--tracking-uri', url, '--json'], { env: alice });
    expect(c.code, c.stderr).toBe(0);
    const id = JSON.parse(c.stdout).experiment_id;

    const refused = await runCli(['experiments', 'delete', '-x', id, '--tracking-uri', url], { env: bob });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('Error: Permission denied');

    const grant = await runCli(['users', 'grant', '-u', 'bob', '-x', id, '-p', 'MANAGE', '--tracking-uri', url], { env: alice });
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.stdout.trim()).toBe(`Granted MANAGE on experiment ${id} for 'bob'`);
    const again = await runCli(['users', 'grant', '-u', 'bob', '-x', id, '-p', 'EDIT', '--tracking-uri', url, '--json'], { env: alice });
    expect(JSON.parse(again.stdout)).toEqual({ username: 'bob', experiment_id: id, permission: 'EDIT', created: false });

    const got = await runCli(['users', 'get', '-u', 'bob', '--tracking-uri', url, '--json'], { env: bob });
    expect(JSON.parse(got.stdout).experiment_permissions).toEqual([{ experiment_id: id, user_id: expect.any(Number), permission: 'EDIT' }]);

    expect((await runCli(['users', 'revoke', '-u', 'bob', '-x', id, '--tracking-uri', url], { env: alice })).code).toBe(0);
    expect((await runCli(['users', 'grant', '-u', 'bob', '-x', id, '-p', 'MANAGE', '--tracking-uri', url], { env: bob })).code).toBe(1);
    expect((await runCli(['users', 'grant', '-u', 'bob', '-x', id, '-p', 'MANAGE', '--tracking-uri', url], { env: admin })).code).toBe(0);
    const del = await runCli(['experiments', 'delete', '-x', id, '--tracking-uri', url], { env: bob });
    expect(del.code, del.stderr).toBe(0);
  });

  it('lets a user change their own password, and refuses the old one after', async () => {
    const r = await runCli(['users', 'update-password', '-u', 'bob', '--password-stdin', '--tracking-uri', url], { input: 'bob-New-pw', env: as('bob', 'bob-Secret-pw') });
    expect(r.code, r.stderr).toBe(0);
    const old = await runCli(['experiments', 'list', '--tracking-uri', url], { env: as('bob', 'bob-Secret-pw') });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('You are not authenticated');
    expect(old.stderr).not.toContain('bob-Secret-pw');
    expect((await runCli(['experiments', 'list', '--tracking-uri', url], { env: as('bob', 'bob-New-pw') })).code).toBe(0);
    expect((await runCli(['users', 'delete', '-u', 'bob', '--tracking-uri', url], { env: admin })).code).toBe(0);
  });

  it('refuses usage errors in one line with exit 2', async () => {
    const both = await runCli(['users', 'grant', '-u', 'x', '-x', '1', '-m', 'm', '-p', 'READ', '--tracking-uri', url], { env: admin });
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('Error: Give exactly one of --experiment-id or --model.');
    const local = await runCli(['users', 'get', '-u', 'x', '--tracking-uri', path.join(dir, 'mlruns')]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('the tracking URI must be http(s)://');
    const nopw = await runCli(['users', 'create', '-u', 'x', '--tracking-uri', url], { env: admin });
    expect(nopw.code).toBe(2);
  });

  it('answers a foreign Host with 403 on the socket, and never logs a password', async () => {
    const port = new URL(url).port;
    const evil = await rawGet(`http://127.0.0.1:${port}/api/2.0/mlflow/experiments/search?max_results=1`, { Host: `evil.example.com:${port}` });
    expect(evil.status).toBe(403);
    expect(evil.body).toBe('Invalid Host header - possible DNS rebinding attack detected');
    expect(server.err()).toContain('Failed sign-in for user');
    for (const secret of [ADMIN_PW, 'alice-Secret-pw', 'bob-Secret-pw', 'bob-New-pw']) expect(server.err() + server.out()).not.toContain(secret);
  });
});

describe.skipIf(!cliBuilt())('mlf server start-up checks', () => {
  it('refuses a bad auth config in one line, exit 1, serving nothing', async () => {
    const dir = tempDir('mlf-auth-bad-');
    const ini = path.join(dir, 'bad.ini');
    fs.writeFileSync(ini, '[mlflow]\ndefault_permission = WRITE\ndatabase_uri = sqlite:///x.db\nadmin_username = a\nadmin_password = hunter2-pw\n');
    const p = serve(['--app-name', 'basic-auth', '--backend-store-uri', path.join(dir, 'mlruns')], { MLFLOW_AUTH_CONFIG_PATH: ini }, dir);
    expect(await p.exited).toBe(1);
    expect(p.out()).not.toContain('Listening');
    expect(p.err().trim()).toBe(`Error: Invalid auth config '${ini}': default_permission 'WRITE' is not one of READ, EDIT, MANAGE, NO_PERMISSIONS`);
    expect(p.err()).not.toContain('hunter2-pw');
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('warns when listening on a public address without authentication', async () => {
    const dir = tempDir('mlf-auth-warn-');
    const p = serve(['--host', '0.0.0.0', '--backend-store-uri', path.join(dir, 'mlruns')], {}, dir);
    await listening(p);
    expect(p.err()).toContain('Listening on 0.0.0.0 without authentication');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});

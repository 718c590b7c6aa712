import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthConfig, readAuthConfig } from '../../../src/server/auth/config.js';
import { tempDir } from '../../support/databases.js';

const INI = `[mlflow]
default_permission = EDIT
database_uri = sqlite:///auth.db
admin_username = root
admin_password = p=ss:word
`;

describe('basic_auth.ini', () => {
  it("reads MLflow's keys, with the authorization function defaulting to basic auth", () => {
    const c = parseAuthConfig(INI, 'x.ini');
    expect(c).toMatchObject({ defaultPermission: 'EDIT', databaseUri: 'sqlite:///auth.db', adminUsername: 'root', adminPassword: 'p=ss:word' });
    expect(c.authorizationFunction).toBe('mlflow.server.auth:authenticate_request_basic_auth');
  });

  it("uses MLflow's built-in defaults without MLFLOW_AUTH_CONFIG_PATH", () => {
    expect(readAuthConfig({})).toMatchObject({ defaultPermission: 'READ', databaseUri: 'sqlite:///basic_auth.db', adminUsername: 'admin', adminPassword: 'password' });
  });

  it('reads the file MLFLOW_AUTH_CONFIG_PATH names', () => {
    const f = path.join(tempDir('mlf-auth-cfg-'), 'basic_auth.ini');
    fs.writeFileSync(f, INI);
    expect(readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: f }).adminUsername).toBe('root');
  });

  it('refuses a bad file with one line that names the problem and not the password', () => {
    const bad = (text: string) => () => parseAuthConfig(text, 'b.ini');
    expect(bad('')).toThrow("Invalid auth config 'b.ini': no [mlflow] section");
    expect(bad('[mlflow]\ndefault_permission = READ\n')).toThrow("missing 'database_uri'");
    expect(bad(INI.replace('EDIT', 'WRITE'))).toThrow("default_permission 'WRITE' is not one of READ, EDIT, MANAGE, NO_PERMISSIONS");
    expect(bad(`${INI}authorization_function = my.module:fn\n`)).toThrow("authorization_function 'my.module:fn' is not supported");
    expect(() => readAuthConfig({ MLFLOW_AUTH_CONFIG_PATH: '/nonexistent/basic_auth.ini' })).toThrow(/Cannot read the auth config file '\/nonexistent\/basic_auth.ini'.*ENOENT/);
    try {
      bad(INI.replace('EDIT', 'WRITE'))();
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('p=ss:word');
    }
  });
});

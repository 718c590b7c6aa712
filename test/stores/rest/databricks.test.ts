/**
 * Databricks tracking URIs: credentials from DATABRICKS_* variables and from ~/.databrickscfg
 * (or $DATABRICKS_CONFIG_FILE), MLflow's failure message, the forms mlf cannot serve, and a
 * `databricks://<profile>` store talking to a local `mlf server` behind a proxy that insists on the
 * profile's Bearer token, standing in for a workspace.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { databricksHostCreds, parseIni } from '../../../src/stores/rest/credentials.js';
import { RestStore } from '../../../src/stores/rest/rest-store.js';
import { parseStoreUri, type DatabricksStoreUri } from '../../../src/tracking/uri.js';
import { resolveSettings, startServer, type RunningServer } from '../../../src/server/serve.js';
import { tempDir } from '../../support/databases.js';
import { FAST } from './support.js';

const db = (uri: string) => parseStoreUri(uri) as DatabricksStoreUri;

function homeWith(cfg: string): string {
  const home = tempDir('mlf-dbx-home-');
  fs.writeFileSync(path.join(home, '.databrickscfg'), cfg);
  return home;
}

describe('parseIni', () => {
  it('reads sections, lower-cases keys, skips comments and lets [DEFAULT] fill other sections', () => {
    const ini = parseIni('[DEFAULT]\nhost = https://a\n; c\n# c\n[prod]\nTOKEN: t1\n[dev]\nhost=https://b\ntoken = t2\n  continued\n');
    expect(Object.fromEntries(ini.get('prod')!)).toEqual({ token: 't1', host: 'https://a' });
    expect(ini.get('dev')!.get('host')).toBe('https://b');
    expect(ini.get('dev')!.get('token')).toBe('t2\ncontinued');
  });
});

describe('databricksHostCreds', () => {
  const empty = tempDir('mlf-dbx-empty-');

  it('reads DATABRICKS_HOST + DATABRICKS_TOKEN for the bare databricks URI', () => {
    const creds = databricksHostCreds(db('databricks'), { env: { DATABRICKS_HOST: 'https://adb-1.azuredatabricks.net/', DATABRICKS_TOKEN: 'dapi1' }, home: empty });
    expect(creds).toMatchObject({ host: 'https://adb-1.azuredatabricks.net', token: 'dapi1', ignoreTlsVerification: false });
  });

  it('reads DATABRICKS_USERNAME/PASSWORD and DATABRICKS_INSECURE', () => {
    const creds = databricksHostCreds(db('databricks'), {
      env: { DATABRICKS_HOST: 'https://h', DATABRICKS_USERNAME: 'u', DATABRICKS_PASSWORD: 'p', DATABRICKS_INSECURE: 'true' },
      home: empty,
    });
    expect(creds).toMatchObject({ host: 'https://h', username: 'u', password: 'p', ignoreTlsVerification: true });
  });

  it('falls back to the DEFAULT profile of ~/.databrickscfg when the environment is incomplete', () => {
    const home = homeWith('[DEFAULT]\nhost = https://default.cloud.databricks.com\ntoken = dapi-default\n');
    expect(databricksHostCreds(db('databricks'), { env: { DATABRICKS_HOST: 'https://only-host' }, home })).toMatchObject({
      host: 'https://default.cloud.databricks.com',
      token: 'dapi-default',
    });
  });

  it('reads the profile named by DATABRICKS_CONFIG_PROFILE for the bare databricks URI', () => {
    const home = homeWith('[DEFAULT]\nhost = https://d\ntoken = td\n[staging]\nhost = https://s\ntoken = ts\n');
    expect(databricksHostCreds(db('databricks'), { env: { DATABRICKS_CONFIG_PROFILE: 'staging' }, home })).toMatchObject({ host: 'https://s', token: 'ts' });
  });

  it('reads only the named profile for databricks://<profile>, ignoring DATABRICKS_* variables', () => {
    const home = homeWith('[DEFAULT]\nhost = https://d\ntoken = td\n[prod]\nhost = prod.cloud.databricks.com\ntoken = tp\ninsecure = True\n');
    expect(databricksHostCreds(db('databricks://prod'), { env: { DATABRICKS_HOST: 'https://env', DATABRICKS_TOKEN: 'te' }, home })).toEqual({
      host: 'https://prod.cloud.databricks.com',
      token: 'tp',
      username: undefined,
      password: undefined,
      ignoreTlsVerification: true,
    });
  });

  it('reads the file named by DATABRICKS_CONFIG_FILE', () => {
    const dir = tempDir('mlf-dbx-cfg-');
    const file = path.join(dir, 'custom.cfg');
    fs.writeFileSync(file, '[team]\nhost = https://team\nusername = u\npassword = p\n');
    expect(databricksHostCreds(db('databricks://team'), { env: { DATABRICKS_CONFIG_FILE: file }, home: empty })).toMatchObject({
      host: 'https://team',
      username: 'u',
      password: 'p',
    });
  });

  it("fails with MLflow's message when nothing is configured, or the profile is missing or incomplete", () => {
    const expected = /^Reading databricks credential configuration failed with MLflow tracking URI 'databricks', Please ensure that you installed 'databricks-sdk' library/;
    expect(() => databricksHostCreds(db('databricks'), { env: {}, home: empty })).toThrow(expected);
    const home = homeWith('[prod]\nhost = https://p\n');
    expect(() => databricksHostCreds(db('databricks://prod'), { env: {}, home })).toThrow(/failed with MLflow tracking URI 'databricks:\/\/prod'/);
    expect(() => databricksHostCreds(db('databricks://nope'), { env: {}, home })).toThrow(/failed with MLflow tracking URI 'databricks:\/\/nope'/);
  });

  it('refuses the legacy databricks://<scope>:<prefix> form outside a Databricks runtime', () => {
    expect(() => databricksHostCreds(db('databricks://scope:prefix'), { env: {}, home: empty })).toThrow(
      /reads the workspace host and token from Databricks secrets \(scope 'scope', keys 'prefix-host' and 'prefix-token'\), which only exist inside a Databricks runtime/,
    );
  });

  it('refuses OAuth client credentials and databricks-cli profiles, which need the Databricks SDK, without echoing the secret', () => {
    let err: unknown;
    try {
      databricksHostCreds(db('databricks'), { env: { DATABRICKS_HOST: 'https://h', DATABRICKS_CLIENT_ID: 'cid', DATABRICKS_CLIENT_SECRET: 'shh-secret' }, home: empty });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ errorCode: 'CUSTOMER_UNAUTHORIZED' });
    expect((err as Error).message).toMatch(/OAuth machine-to-machine credentials \(client_id\/client_secret\), which needs the Databricks SDK/);
    expect((err as Error).message).not.toContain('shh-secret');
    const home = homeWith('[cli]\nhost = https://h\nauth_type = databricks-cli\n');
    expect(() => databricksHostCreds(db('databricks://cli'), { env: {}, home })).toThrow(/'databricks auth login' profile/);
  });
});

describe('databricks://<profile> against a stand-in workspace', () => {
  let server: RunningServer;
  let proxy: http.Server;
  let proxyUrl: string;
  const seenAuth: Array<string | undefined> = [];
  const dir = tempDir('mlf-dbx-ws-');

  beforeAll(async () => {
    server = await startServer(
      resolveSettings({ backendStoreUri: `sqlite:///${path.join(dir, 'mlflow.db')}`, port: 0, artifactsDestination: path.join(dir, 'art'), logLevel: 'none' }),
    );
    const target = new URL(server.url);
    // The workspace: refuses anything without the profile's token, forwards the rest to mlf server.
    proxy = http.createServer((req, res) => {
      seenAuth.push(req.headers.authorization);
      if (req.headers.authorization !== 'Bearer dapi-ws-token') {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'Invalid access token.' }));
        return;
      }
      const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
    await server.close(1000);
  });

  it('logs and reads runs through the workspace with the profile\'s Bearer token on every request', async () => {
    const home = homeWith(`[ws]\nhost = ${proxyUrl}/\ntoken = dapi-ws-token\n`);
    const store = RestStore.open(db('databricks://ws'), { env: {}, home, retry: FAST });
    const expId = await store.createExperiment({ name: 'dbx-exp' });
    const run = await store.createRun({ experimentId: expId, startTime: 1000, runName: 'r1' });
    await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: '0.1' }] });
    const read = await store.getRun(run.info.runId);
    await store.close();
    expect(read.info.runName).toBe('r1');
    expect(read.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(read.data.metrics).toEqual([{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }]);
    expect(seenAuth.length).toBeGreaterThanOrEqual(4);
    expect(seenAuth.every((a) => a === 'Bearer dapi-ws-token')).toBe(true);
  });

  it('surfaces the workspace\'s UNAUTHENTICATED error for a wrong token', async () => {
    const store = RestStore.open(db('databricks'), { env: { DATABRICKS_HOST: proxyUrl, DATABRICKS_TOKEN: 'wrong' }, home: tempDir('mlf-dbx-'), retry: FAST });
    await expect(store.getExperiment('0')).rejects.toMatchObject({ errorCode: 'UNAUTHENTICATED', message: 'Invalid access token.' });
    await store.close();
  });

  it('is what openTrackingStore returns for a databricks URI', async () => {
    const saved = { ...process.env };
    try {
      process.env.DATABRICKS_HOST = proxyUrl;
      process.env.DATABRICKS_TOKEN = 'dapi-ws-token';
      const store = await openTrackingStore('databricks');
      expect(store.kind).toBe('rest');
      expect((await store.getExperiment('0')).name).toBe('Default');
      await store.close();
    } finally {
      for (const k of ['DATABRICKS_HOST', 'DATABRICKS_TOKEN']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

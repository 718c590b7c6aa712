/**
 * `mlf artifacts …` end to end: the built CLI on a file store, a SQLite store, and through a real
 * `mlf server --serve-artifacts` (the mlflow-artifacts proxy over HTTP), where a 200 MB file goes up
 * and comes back byte for byte while the CLI's memory stays far below the file's size.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliBuilt, runCli, runJson, runOk } from './run-cli.js';
import { startServer, type ServerProcess } from './server-proc.js';
import { tempDir } from '../support/databases.js';

beforeAll(() => {
  if (!cliBuilt()) throw new Error('The CLI is not built: run `npm run build` (npm test does) before these tests');
});

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

type Setup = { name: string; start(dir: string): Promise<{ uri: string; stop(): Promise<void> }> };

const SETUPS: Setup[] = [
  { name: 'a file store', start: async (dir) => ({ uri: path.join(dir, 'mlruns'), stop: async () => undefined }) },
  { name: 'a SQLite store', start: async (dir) => ({ uri: `sqlite:///${path.join(dir, 'mlflow.db')}`, stop: async () => undefined }) },
  {
    name: 'mlf server with --serve-artifacts',
    start: async (dir) => {
      const s: ServerProcess = await startServer([
        '--backend-store-uri', `sqlite:///${path.join(dir, 'server.db')}`,
        '--serve-artifacts', '--artifacts-destination', path.join(dir, 'mlartifacts'),
      ]);
      return { uri: s.url, stop: s.stop };
    },
  },
];

for (const setup of SETUPS) {
  describe(`mlf artifacts on ${setup.name}`, () => {
    let dir: string;
    let uri: string;
    let stop: () => Promise<void>;
    let run = '';
    const opts = () => ({ env: { MLFLOW_TRACKING_URI: uri }, cwd: dir });

    beforeAll(async () => {
      dir = tempDir('mlf-art-cli-');
      ({ uri, stop } = await setup.start(dir));
      run = (await runOk(['runs', 'log', '--no-source-tags'], opts())).stdout.trim();
      fs.mkdirSync(path.join(dir, 'src', 'model', 'data'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src', 'model', 'MLmodel'), 'flavors: {}\n');
      fs.writeFileSync(path.join(dir, 'src', 'model', 'data', 'w.bin'), crypto.randomBytes(70_000));
      fs.writeFileSync(path.join(dir, 'src', 'notes.txt'), 'héllo\n');
    }, 60_000);
    afterAll(async () => {
      await stop?.();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('logs a file and a folder, lists them, and downloads them back byte for byte', async () => {
      const one = await runOk(['artifacts', 'log-artifact', '-r', run, '-l', path.join(dir, 'src', 'notes.txt')], opts());
      expect(one.stdout.trim()).toBe(`Logged artifact from local file ${path.join(dir, 'src', 'notes.txt')} to artifact_path=None`);
      await runOk(['artifacts', 'log-artifacts', '--run-id', run, '--local-dir', path.join(dir, 'src', 'model'), '--artifact-path', 'model'], opts());

      const top = await runJson(['artifacts', 'list', '-r', run], opts());
      expect(top.files).toEqual([{ path: 'model', is_dir: true }, { path: 'notes.txt', is_dir: false, file_size: 7 }]);
      const inner = await runJson(['artifacts', 'list', '-r', run, '-a', 'model'], opts());
      expect(inner.files.map((f: { path: string }) => f.path)).toEqual(['model/MLmodel', 'model/data']);
      const table = await runOk(['artifacts', 'list', '-r', run, '-a', 'model'], opts());
      expect(table.stdout.split('\n')[0]).toMatch(/^Path\s+Size$/);
      expect(table.stdout).toMatch(/model\/data\//);

      const all = (await runOk(['artifacts', 'download', '-r', run, '-d', path.join(dir, 'all')], opts())).stdout.trim();
      expect(all).toBe(path.join(dir, 'all'));
      expect(await sha256(path.join(all, 'model', 'data', 'w.bin'))).toBe(await sha256(path.join(dir, 'src', 'model', 'data', 'w.bin')));
      expect(fs.readFileSync(path.join(all, 'notes.txt'), 'utf8')).toBe('héllo\n');

      const viaUri = (await runOk(['artifacts', 'download', '-u', `runs:/${run}/model/MLmodel`, '-d', path.join(dir, 'one')], opts())).stdout.trim();
      expect(viaUri).toBe(path.join(dir, 'one', 'MLmodel'));
      expect(fs.readFileSync(viaUri, 'utf8')).toBe('flavors: {}\n');

      if (setup.name.startsWith('mlf server')) {
        expect(top.root_uri).toMatch(/^mlflow-artifacts:\//);
        // The proxy's own URIs: mlflow-artifacts:/… (through the tracking URI) and its http(s) address.
        const proxied = await runOk(['artifacts', 'download', '-u', `${top.root_uri}/notes.txt`, '-d', path.join(dir, 'proxied')], opts());
        expect(fs.readFileSync(proxied.stdout.trim(), 'utf8')).toBe('héllo\n');
        const rootPath = top.root_uri.replace(/^mlflow-artifacts:\/*/, '');
        const httpUri = `${uri}/api/2.0/mlflow-artifacts/artifacts/${rootPath}/model`;
        const viaHttp = (await runOk(['artifacts', 'download', '-u', httpUri, '-d', path.join(dir, 'http')], opts())).stdout.trim();
        expect(viaHttp).toBe(path.join(dir, 'http', 'model'));
        expect(fs.readFileSync(path.join(viaHttp, 'MLmodel'), 'utf8')).toBe('flavors: {}\n');
      }
    });

    it('refuses a missing path, an existing destination and a missing local file with one line, exit 1, nothing left', async () => {
      const target = path.join(dir, 'missing-out');
      const missing = await runCli(['artifacts', 'download', '-r', run, '-a', 'nope', '-d', target], opts());
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toMatch(/^Error: No artifact at 'nope'/);
      expect(fs.existsSync(target)).toBe(false);

      fs.mkdirSync(path.join(dir, 'taken'));
      fs.writeFileSync(path.join(dir, 'taken', 'notes.txt'), 'mine');
      const taken = await runCli(['artifacts', 'download', '-r', run, '-a', 'notes.txt', '-d', path.join(dir, 'taken')], opts());
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim()).toBe(`Error: Destination '${path.join(dir, 'taken', 'notes.txt')}' already exists: pass --overwrite to replace it.`);
      expect(fs.readFileSync(path.join(dir, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
      await runOk(['artifacts', 'download', '-r', run, '-a', 'notes.txt', '-d', path.join(dir, 'taken'), '--overwrite'], opts());
      expect(fs.readFileSync(path.join(dir, 'taken', 'notes.txt'), 'utf8')).toBe('héllo\n');

      const noFile = await runCli(['artifacts', 'log-artifact', '-r', run, '-l', path.join(dir, 'nothing.bin')], opts());
      expect(noFile.code).toBe(1);
      expect(noFile.stderr.trim()).toBe(`Error: No such file: '${path.join(dir, 'nothing.bin')}'`);
    });

    it('reports a run without artifacts, and an unknown run, with one line', async () => {
      const empty = (await runOk(['runs', 'log', '--no-source-tags'], opts())).stdout.trim();
      const r = await runCli(['artifacts', 'download', '-r', empty, '-d', path.join(dir, 'empty-out')], opts());
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Error: No artifacts at '.+'\.\n$/);
      expect(fs.existsSync(path.join(dir, 'empty-out'))).toBe(false);
      expect((await runOk(['artifacts', 'list', '-r', empty], opts())).stdout.trim()).toBe('No artifacts found.');
      const unknown = await runCli(['artifacts', 'list', '-r', 'f'.repeat(32)], opts());
      expect(unknown.code).toBe(1);
      expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    });

    if (setup.name === 'a SQLite store') {
      it('reports an artifact root it cannot reach (an object store) with one line, exit 1', async () => {
        const exp = (await runJson(['experiments', 'create', '-n', 'in-s3', '-l', 's3://bucket/prefix'], opts())).experiment_id;
        const inS3 = (await runOk(['runs', 'log', '--experiment-id', exp, '--no-source-tags'], opts())).stdout.trim();
        for (const args of [['list', '-r', inS3], ['download', '-r', inS3, '-d', path.join(dir, 's3-out')], ['log-artifact', '-r', inS3, '-l', path.join(dir, 'src', 'notes.txt')]]) {
          const r = await runCli(['artifacts', ...args], opts());
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(/^Error: mlf cannot reach artifact root 's3:\/\/bucket\/prefix\/.+': only local folders, file: URIs and a tracking server's mlflow-artifacts proxy are supported .*\n$/);
        }
        expect(fs.existsSync(path.join(dir, 's3-out'))).toBe(false);
      });
    }

    if (setup.name.startsWith('mlf server')) {
      it('streams a 200 MB file up and down through the proxy, byte for byte, without holding it in memory', async () => {
        const big = path.join(dir, 'big.bin');
        const fd = fs.openSync(big, 'w');
        const chunk = crypto.randomBytes(1 << 20);
        for (let i = 0; i < 200; i++) fs.writeSync(fd, chunk.map((b) => b ^ i));
        fs.closeSync(fd);
        const peak = async (args: string[]) => {
          const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, MLFLOW_TRACKING_URI: uri }, cwd: dir, stdio: 'pipe' });
          let max = 0;
          const timer = setInterval(() => {
            let status = '';
            try {
              status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
            } catch {
              return; // exited between two samples
            }
            const m = /VmRSS:\s+(\d+) kB/.exec(status);
            if (m) max = Math.max(max, Number(m[1]) * 1024);
          }, 25);
          let err = '';
          child.stderr.on('data', (d) => (err += d));
          const code = await new Promise<number | null>((r) => child.on('close', r));
          clearInterval(timer);
          expect(code, err).toBe(0);
          return max;
        };
        const up = await peak(['artifacts', 'log-artifact', '-r', run, '-l', big, '-a', 'big']);
        const down = await peak(['artifacts', 'download', '-r', run, '-a', 'big/big.bin', '-d', path.join(dir, 'big-out')]);
        expect(await sha256(path.join(dir, 'big-out', 'big', 'big.bin'))).toBe(await sha256(big));
        // The CLI alone peaks near 60 MB here, about 120 MB with chunks awaiting GC; holding the file would add 200 MB.
        expect(up).toBeLessThan(150 * 2 ** 20);
        expect(down).toBeLessThan(150 * 2 ** 20);
        console.log(`200 MB artifact: peak RSS upload ${(up / 2 ** 20).toFixed(0)} MB, download ${(down / 2 ** 20).toFixed(0)} MB`);
      }, 120_000);
    }
  });
}

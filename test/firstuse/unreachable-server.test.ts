// An unreachable tracking server: mlf says at once, on stderr and once, that it is retrying (MLflow
// retries a refused connection too: urllib3's Retry(connect=max_retries)), then fails in one line.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const cwd = tempDir('mlf-firstuse-rest-');

describe('an unreachable tracking server', () => {
  it('is reported while mlf is still retrying, not after a minute of silence', async () => {
    const uri = `http://127.0.0.1:${await closedPort()}`;
    const child = spawn(process.execPath, [BIN, 'runs', 'list', '--tracking-uri', uri], { cwd, env: { PATH: process.env.PATH, HOME: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
    let exited = false;
    child.on('exit', () => (exited = true));
    const firstLine = await new Promise<string>((resolve) => {
      let buf = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
    });
    // The default policy retries for about a minute; the line came before any of that.
    expect(exited).toBe(false);
    child.kill();
    expect(firstLine).toBe(
      `Warning: The tracking server ${uri} does not answer (connect ECONNREFUSED ${uri.slice(7)}); retrying 5 times over about 60 s (MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR).`,
    );
  });

  it('says it once, then fails with one error line, exit 1', async () => {
    const uri = `http://127.0.0.1:${await closedPort()}`;
    const r = await runCli(['experiments', 'list', '--tracking-uri', uri], {
      cwd,
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2', MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.05' },
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Warning: The tracking server http:\/\/127\.0\.0\.1:\d+ does not answer \(connect ECONNREFUSED [^)]+\); retrying 2 times over about 0 s/);
    expect(lines[1]).toMatch(/^Error: API request to http:\/\/127\.0\.0\.1:\d+\/api\/2\.0\/mlflow\/experiments\/search failed with exception connect ECONNREFUSED .* after 2 retries$/);
  });

  it('MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 fails at once with no retry notice', async () => {
    const uri = `http://127.0.0.1:${await closedPort()}`;
    const r = await runCli(['runs', 'list', '--tracking-uri', uri], { cwd, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: API request to \S+ failed with exception connect ECONNREFUSED [^\n]*\n$/);
  });
});

/**
 * A real `mlf server` process for end-to-end CLI tests (the built CLI, any free port), stopped with
 * SIGTERM at the end of the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './run-cli.js';

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

export async function startServer(args: string[], timeoutMs = 30_000): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(MLFLOW_|MLF_(?!TEST)|NODE_OPTIONS|VITEST)/.test(k)) env[k] = v;
  const child: ChildProcess = spawn(process.execPath, [BIN, 'server', '--port', '0', '--log-level', 'warning', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const t0 = Date.now();
  for (;;) {
    const m = /Listening at: (http:\/\/\S+)/.exec(out);
    if (m) {
      const url = m[1]!.replace('0.0.0.0', '127.0.0.1');
      return {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.on('close', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    if (child.exitCode !== null) throw new Error(`mlf server exited ${child.exitCode}: ${err}`);
    if (Date.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`mlf server did not listen: ${out} ${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

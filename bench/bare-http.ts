/**
 * The HTTP part of a server's floor in `--against`: a trivial node:http server, its own process like
 * the servers it stands beside, that reads each request's body whole and answers with bytes it was
 * given beforehand (a recorded response of mlf's to the same call). A call to it costs one bare
 * round trip of the same request and response size, the client's JSON work included, and nothing
 * of a server's own: no parsing, validation or store.
 *
 * `PUT /reply<path>` with a body sets the answer for `<path>`; any other request to `<path>` gets it.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

function serve(): void {
  const replies = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'PUT' && path.startsWith('/reply/')) {
        replies.set(path.slice('/reply'.length), Buffer.concat(chunks));
        res.writeHead(204).end();
        return;
      }
      const body = replies.get(path);
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    console.log(`Listening at: http://127.0.0.1:${a.port}`);
  });
}

export interface BareHttp {
  url: string;
  /** Answer requests to `path` (the URL's path, no query) with `body`. */
  setReply(path: string, body: string): Promise<void>;
  stop(): void;
}

export async function startBareHttp(): Promise<BareHttp> {
  const child = spawn(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Listening at: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bare HTTP server exited (${code})`)));
  });
  const agent = new http.Agent({ keepAlive: true });
  return {
    url,
    setReply: (path, body) =>
      new Promise((resolve, reject) => {
        const req = http.request(`${url}/reply${path}`, { method: 'PUT', agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`bare HTTP server: ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(body);
      }),
    stop: () => {
      agent.destroy();
      child.kill('SIGTERM');
    },
  };
}

if (process.argv[1] === SELF && process.argv[2] === '--serve') serve();

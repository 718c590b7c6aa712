/**
 * The load generator of bench/load.ts, run as its own process so it does not share the server's
 * event loop: N concurrent keep-alive clients for a fixed time, each looping over a mix of create
 * run (1 in 4), log-batch of 100 metrics and a tag to its own run (2 in 4) and a search with a
 * filter and an order, page of 100 (1 in 4). Prints one JSON line: requests, seconds, latencies.
 *
 * argv: <api url> <seconds> <clients> <experiment id> <search experiment id>
 */
import http from 'node:http';

const [api, secondsArg, clientsArg, exp, searchExp] = process.argv.slice(2) as [string, string, string, string, string];
const u = new URL(api);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(clientsArg) });

function post(route: string, body: unknown): Promise<any> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: `${u.pathname}/${route}`, method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const s = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${route}: ${res.statusCode} ${s.slice(0, 200)}`));
          else resolve(JSON.parse(s));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const end = performance.now() + Number(secondsArg) * 1000;
const latencies: Record<string, number[]> = { create: [], batch: [], search: [] };
let errors = 0;
let firstError = '';

async function client(n: number): Promise<void> {
  const run = (await post('runs/create', { experiment_id: exp, start_time: Date.now() })).run.info.run_id as string;
  let step = 0;
  for (let i = n; performance.now() < end; i++) {
    const kind = i % 4 === 0 ? 'create' : i % 4 === 3 ? 'search' : 'batch';
    const t = performance.now();
    try {
      if (kind === 'create') await post('runs/create', { experiment_id: exp, start_time: Date.now(), user_id: 'load' });
      else if (kind === 'search') await post('runs/search', { experiment_ids: [searchExp], filter: 'metrics.loss > 0.5', order_by: ['metrics.loss DESC'], max_results: 100 });
      else {
        const metrics = Array.from({ length: 100 }, (_, k) => ({ key: `m${k % 10}`, value: k / 3, timestamp: 1_700_000_000_000 + step, step: step++ }));
        await post('runs/log-batch', { run_id: run, metrics, tags: [{ key: 'phase', value: String(i) }] });
      }
      latencies[kind]!.push(performance.now() - t);
    } catch (e) {
      errors++;
      firstError ||= (e as Error).message;
    }
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: Number(clientsArg) }, (_, n) => client(n)));
const seconds = (performance.now() - t0) / 1000;
agent.destroy();
process.stdout.write(JSON.stringify({ seconds, latencies, errors, firstError }) + '\n');

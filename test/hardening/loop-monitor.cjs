/**
 * Preloaded (`node --require`) into the `mlf server` process the fuzz test spawns: measures how long
 * the server's event loop is held by the server itself, apart from the time the OS kept it off a
 * CPU (2 cores shared by the whole suite). A 5 ms timer notes every late tick, and /proc's
 * schedstat of each of the process's threads tells how long they waited for a CPU meanwhile (run
 * queue). The main thread also waits for threads of its own (V8's parallel garbage collection):
 * their run-queue time stalls it too. So the server's own block is the delay minus the run-queue
 * waits of all its threads, and never less than the main thread's own CPU time in that delay.
 * Counting starts with the first HTTP request (startup is not measured).
 * Figures go to the JSON file named by MLF_TEST_LOOP_STATS, rewritten every 200 ms and at exit.
 */
'use strict';
// Worker threads inherit `--require` (the server's SQLite writer is one): only the main thread's loop
// is measured, and only it writes the figures.
if (!require('node:worker_threads').isMainThread) return;
const fs = require('node:fs');
const dc = require('node:diagnostics_channel');

const out = process.env.MLF_TEST_LOOP_STATS;
const TICK_MS = 5;
const TASKS = '/proc/self/task';
/** ns on a CPU and ns waiting in the run queue, from one thread's schedstat (0 where /proc lacks it). */
const schedstat = (tid) => {
  try {
    const [cpu, wait] = fs.readFileSync(`${TASKS}/${tid}/schedstat`, 'utf8').split(' ');
    return [Number(cpu), Number(wait)];
  } catch {
    return [0, 0];
  }
};
let threads = [];
let threadsAt = -Infinity;
/** [main thread's CPU ns, run-queue ns summed over all threads]; the thread list is re-read every 200 ms. */
const sched = () => {
  const now = performance.now();
  if (now - threadsAt > 200) {
    threadsAt = now;
    try {
      threads = fs.readdirSync(TASKS);
    } catch {
      threads = [];
    }
  }
  let mainCpu = 0;
  let wait = 0;
  for (const tid of threads) {
    const [cpu, w] = schedstat(tid);
    if (tid === String(process.pid)) mainCpu = cpu;
    wait += w;
  }
  return [mainCpu, wait];
};

const stats = { requests: 0, ticks: 0, maxDelayMs: 0, maxOwnBlockMs: 0, maxCpuMs: 0, ownBlocksOver20Ms: 0, top: [] };
const recent = [];
dc.subscribe('http.server.request.start', ({ request }) => {
  stats.requests++;
  recent.push({ t: performance.now(), what: `${request.method} ${String(request.url).slice(0, 70)} (${request.headers['content-length'] ?? '-'} B)` });
  if (recent.length > 32) recent.shift();
});

let last = performance.now();
let [lastCpu, lastWait] = sched();
setInterval(() => {
  const now = performance.now();
  const [cpu, wait] = sched();
  const delay = Math.max(0, now - last - TICK_MS);
  const cpuMs = (cpu - lastCpu) / 1e6;
  const waitMs = (wait - lastWait) / 1e6;
  last = now;
  lastCpu = cpu;
  lastWait = wait;
  if (stats.requests === 0) return;
  stats.ticks++;
  // A thread that appeared or ended since the last tick shifts the sum: never below zero, and the
  // main thread's CPU time is its own in any case.
  const own = Math.min(delay, Math.max(cpuMs, delay - Math.max(0, waitMs)));
  stats.maxDelayMs = Math.max(stats.maxDelayMs, delay);
  stats.maxCpuMs = Math.max(stats.maxCpuMs, cpuMs);
  if (own > 20) stats.ownBlocksOver20Ms++;
  if (own > stats.maxOwnBlockMs) stats.maxOwnBlockMs = own;
  if (own > 10 && process.env.MLF_TEST_LOOP_TOP) {
    stats.top.push({ ownMs: +own.toFixed(1), delayMs: +delay.toFixed(1), cpuMs: +cpuMs.toFixed(1), recent: recent.filter((r) => r.t > now - delay - 20).map((r) => r.what) });
    stats.top.sort((a, b) => b.ownMs - a.ownMs);
    stats.top.length = Math.min(stats.top.length, 15);
  }
}, TICK_MS).unref();

if (out) {
  const write = () => fs.writeFileSync(out, JSON.stringify(stats));
  setInterval(write, 200).unref();
  process.on('exit', write);
}

/**
 * Preloaded (`node --require`) into the `mlf server` process the fuzz test spawns: measures how long
 * the server's event loop is held by the server itself, apart from the time the OS kept it off a
 * CPU (2 cores shared by the whole suite). A 2 ms timer notes every late tick; the main thread's
 * /proc schedstat splits each delay into time spent on a CPU, time waiting for one (run queue),
 * and the rest (synchronous waits such as a disk sync). The server's own block is the delay
 * minus the run-queue wait. Counting starts with the first HTTP request (startup is not measured).
 * Figures go to the JSON file named by MLF_TEST_LOOP_STATS, rewritten every 200 ms and at exit.
 */
'use strict';
const fs = require('node:fs');
const dc = require('node:diagnostics_channel');

const out = process.env.MLF_TEST_LOOP_STATS;
const TICK_MS = 2;
const schedFile = `/proc/self/task/${process.pid}/schedstat`;
/** [ns on a CPU, ns waiting in the run queue] for the main thread; zeros where /proc lacks it. */
const sched = () => {
  try {
    const [cpu, wait] = fs.readFileSync(schedFile, 'utf8').split(' ');
    return [Number(cpu), Number(wait)];
  } catch {
    return [0, 0];
  }
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
  const own = Math.max(0, delay - waitMs);
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

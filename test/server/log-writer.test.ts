/**
 * The server's log writer: lines in order, a slow reader never holds the event loop, and the
 * memory kept for a reader that does not read is bounded (dropped lines are counted in a notice).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineWriter } from '../../src/server/log-writer.js';
import { tempDir } from '../support/databases.js';

const dir = tempDir('mlf-log-writer-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('lineWriter', () => {
  it('writes every line, in order, each ending with a newline', async () => {
    const file = path.join(dir, 'ordered.log');
    const fd = fs.openSync(file, 'w');
    const write = lineWriter(fd);
    for (let i = 0; i < 500; i++) write(`line ${i}`);
    await settle();
    fs.closeSync(fd);
    expect(fs.readFileSync(file, 'utf8')).toBe(Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join(''));
  });

  it('drops lines beyond the pending bound and then says how many', async () => {
    const file = path.join(dir, 'dropped.log');
    const fd = fs.openSync(file, 'w');
    // Every call below happens before the first write completes: 10 lines of 10 bytes fit in 95.
    const write = lineWriter(fd, 95);
    for (let i = 0; i < 30; i++) write(`line ${String(i).padStart(4, '0')}`);
    await settle();
    write('after');
    await settle();
    fs.closeSync(fd);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${String(i).padStart(4, '0')}`));
    expect(lines[10]).toMatch(/\[WARNING\] 20 log line\(s\) dropped: standard error was not read fast enough\.$/);
    expect(lines.slice(11)).toEqual(['after', '']);
  });

  it('returns at once while the reader of a full pipe does not read, and delivers everything once it does', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Read-write: opening does not wait for a reader, and the pipe stays open while nobody reads.
    const wfd = fs.openSync(fifo, 'r+');
    const write = lineWriter(wfd);
    const line = 'x'.repeat(99);
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) write(line); // 1 MB, a pipe holds 64 kB
    const ms = performance.now() - t0;
    // A synchronous write would never return here: nobody reads yet.
    expect(ms).toBeLessThan(1000);
    const timerFired = await new Promise((r) => setTimeout(() => r(true), 20));
    expect(timerFired).toBe(true);
    const rfd = fs.openSync(fifo, 'r');
    const want = 10_000 * 100;
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) got += await new Promise<number>((res, rej) => fs.read(rfd, buf, got, want - got, null, (e, n) => (e ? rej(e) : res(n))));
    expect(buf.toString()).toBe((line + '\n').repeat(10_000));
    fs.closeSync(rfd);
    fs.closeSync(wfd);
  });
});

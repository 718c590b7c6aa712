// runs list --view all: a deleted run must not look active.
import { describe, expect, it } from 'vitest';
import { runOk } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';

describe('runs list --view all', () => {
  it('shows a Lifecycle Stage column when a deleted run is listed, and none otherwise', async () => {
    const uri = `sqlite:///${tempDir('mlf-firstuse-list-')}/m.db`;
    const kept = (await runOk(['runs', 'log', '--tracking-uri', uri, '-p', 'a=1', '--no-source-tags'])).stdout.trim();
    const gone = (await runOk(['runs', 'log', '--tracking-uri', uri, '-p', 'a=2', '--no-source-tags'])).stdout.trim();
    await runOk(['runs', 'delete', gone, '--tracking-uri', uri]);

    const all = (await runOk(['runs', 'list', '--tracking-uri', uri, '--view', 'all'])).stdout.split('\n');
    expect(all[0]).toMatch(/Status\s+Lifecycle Stage\s+Duration/);
    expect(all.find((l) => l.includes(gone))).toMatch(/\bdeleted\b/);
    expect(all.find((l) => l.includes(kept))).toMatch(/\bactive\b/);

    const active = (await runOk(['runs', 'list', '--tracking-uri', uri])).stdout;
    expect(active).not.toContain('Lifecycle');
    expect(active).not.toContain(gone);
  });
});

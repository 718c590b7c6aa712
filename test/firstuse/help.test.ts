// Help and flags as a newcomer reads them: only flags a command honours, examples a shell can paste.
import { describe, expect, it } from 'vitest';
import { runCli, runJson, runOk } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';

describe('each command shows only the flags it honours', () => {
  it.each([['db upgrade'], ['db current'], ['server']])('mlf %s --help has no --tracking-uri (it takes its store another way)', async (cmd) => {
    const r = await runOk([...cmd.split(' '), '--help']);
    expect(r.stdout).not.toContain('--tracking-uri');
  });

  it('mlf db current --tracking-uri is refused as a flag it does not have, exit 2', async () => {
    const r = await runCli(['db', 'current', 'sqlite:///x.db', '--tracking-uri', 'sqlite:///y.db'], { cwd: tempDir('mlf-firstuse-help-') });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('Error: Nonexistent flag: --tracking-uri');
  });

  it('runs log takes -n for the experiment name, as runs list does', async () => {
    const uri = `sqlite:///${tempDir('mlf-firstuse-help-')}/m.db`;
    const id = (await runOk(['runs', 'log', '--tracking-uri', uri, '-n', 'short-flag', '-p', 'a=1', '--no-source-tags'])).stdout.trim();
    const list = await runJson(['runs', 'list', '--tracking-uri', uri, '-n', 'short-flag']);
    expect(list.runs.map((r: any) => r.info.run_id)).toEqual([id]);
  });
});

describe('runs log --help examples', () => {
  it('every example line is a description ending in ":" or a shell line starting with "$ "', async () => {
    const r = await runOk(['runs', 'log', '--help']);
    const examples = r.stdout.slice(r.stdout.indexOf('EXAMPLES')).split('\n').slice(1);
    const lines = examples.map((l) => l.trim()).filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) expect(line).toMatch(/^\$ |:$/);
    expect(lines.filter((l) => l.startsWith('$ ')).length).toBe(4);
  });
});

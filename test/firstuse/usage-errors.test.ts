// Usage errors from the built CLI: one line saying what is wrong, exit 2, and MLflow's JSON error
// object under --json (the CI case, which used to print nothing).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-firstuse-usage-'));

const cases: [string[], RegExp][] = [
  [["experiments", "create"], /^Error: Missing required flag --experiment-name$/],
  [['experiments', 'list', '--max-results', 'abc'], /^Error: Parsing --max-results: Expected an integer but received: abc$/],
  [['db', 'upgrade'], /^Error: Missing required argument: url \(Database URI/],
  [['runs', 'list', '--bogus'], /^Error: Nonexistent flag: --bogus$/],
  [['runs', 'log', '--status', 'DONE'], /^Error: Expected --status=DONE to be one of: FINISHED, FAILED, KILLED$/],
  [['runs', 'lst'], /^Error: Unknown command: mlf runs lst\. Did you mean 'mlf runs list'\? See 'mlf runs --help'\.$/],
  [['runz'], /^Error: Unknown command: mlf runz\. See 'mlf --help'\.$/],
];

describe('usage errors', () => {
  it.each(cases)('mlf %j says what is wrong in one line, exit 2', async (args, line) => {
    const r = await runCli(args, { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(line);
  });

  it.each(cases)('mlf %j --json prints the JSON error object, exit 2', async (args, line) => {
    const r = await runCli([...args, '--json'], { cwd });
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout);
    expect(body.error.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(`Error: ${body.error.message}`).toMatch(line);
  });

  it('creates nothing when the command line is wrong', () => {
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});

// The fast start (issue 15 point 7): help screens rendered without oclif's start-up must be oclif's
// own, byte for byte, and everything else must still reach oclif. MLF_NO_FAST_HELP=1 gives the
// rendering of oclif's normal path to compare with.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_ROOT, runCli, type CliResult } from '../cli/run-cli.js';

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-firstuse-fast-'));
const manifest = JSON.parse(fs.readFileSync(path.join(CLI_ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, { aliases?: string[] }>;
};
const pjson = JSON.parse(fs.readFileSync(path.join(CLI_ROOT, 'package.json'), 'utf8'));

function topicNames(topics: Record<string, { subtopics?: object }>, base = ''): string[] {
  return Object.entries(topics).flatMap(([name, t]) => [base + name, ...topicNames((t.subtopics ?? {}) as never, `${base}${name} `)]);
}

const commandIds = Object.entries(manifest.commands).flatMap(([id, c]) => [id, ...(c.aliases ?? [])]).map((id) => id.replaceAll(':', ' '));
const topics = topicNames(pjson.oclif.topics);

/** Every help screen a user can ask for: the root, each topic (bare and with --help), each command and alias. */
const screens: string[][] = [
  [],
  ['--help'],
  ['help', '--help'],
  ...topics.flatMap((t) => [t.split(' '), [...t.split(' '), '--help']]),
  ...commandIds.map((id) => [...id.split(' '), '--help']),
];

/** Runs a few at a time: the machine running the tests may be small. */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

function same(fast: CliResult, oclif: CliResult): void {
  expect(fast.stdout).toBe(oclif.stdout);
  expect(fast.stderr).toBe(oclif.stderr);
  expect(fast.code).toBe(oclif.code);
}

describe('help without oclif start-up', () => {
  it('covers every command, alias and topic of the manifest', () => {
    expect(commandIds.length).toBeGreaterThanOrEqual(40);
    expect(commandIds).toContain('runs create'); // an alias
    expect(topics).toContain('models versions'); // a subtopic
  });

  it('renders every help screen exactly as oclif does, with the same exit code', { timeout: 600_000 }, async () => {
    const results = await pool(screens, 4, async (args) => [
      args,
      await runCli(args, { cwd }),
      await runCli(args, { cwd, env: { MLF_NO_FAST_HELP: '1' } }),
    ] as const);
    for (const [args, fast, oclif] of results) {
      expect(fast.stdout, `mlf ${args.join(' ')}`).toBe(oclif.stdout);
      same(fast, oclif);
      expect(fast.code).toBe(0);
      expect(fast.stdout.length).toBeGreaterThan(100);
    }
  });

  it.each([['40'], ['120'], ['200']])('wraps as oclif does at %s columns', { timeout: 120_000 }, async (columns) => {
    for (const args of [['--help'], ['runs', '--help'], ['runs', 'log', '--help'], ['models', 'versions']]) {
      const env = { OCLIF_COLUMNS: columns };
      same(await runCli(args, { cwd, env }), await runCli(args, { cwd, env: { ...env, MLF_NO_FAST_HELP: '1' } }));
    }
  });
});

describe('what the fast path leaves to oclif', () => {
  // Importing the module the bundle is built from, to see which argv it answers (true) or hands on.
  async function answers(argv: string[], env: Record<string, string> = {}): Promise<boolean> {
    const { fastHelp } = await import(pathToFileURL(path.join(CLI_ROOT, 'dist', 'src', 'cli', 'fast-help.js')).href);
    const saved = { ...process.env };
    const write = process.stdout.write;
    Object.assign(process.env, env);
    process.stdout.write = (() => true) as never;
    try {
      return await fastHelp(CLI_ROOT, argv);
    } finally {
      process.stdout.write = write;
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    }
  }

  it.each([[[]], [['--help']], [['runs']], [['runs', '--help']], [['runs', 'log', '--help']], [['models', 'versions', 'list', '--help']]])(
    'answers %j itself',
    async (argv) => {
      expect(await answers(argv)).toBe(true);
    },
  );

  it.each([
    [['runs', 'log']], // a command to run
    [['runs', 'log', '-p', 'a=1', '--help']], // flags before --help: oclif reads them
    [['runs', 'lgo', '--help']], // not a command: oclif's error
    [['runz']],
    [['--version']],
    [['help', 'runs']], // plugin-help's command
    [['runs:log', '--help']], // oclif's own id spelling
    [['runs', '--help', '--']],
  ])('hands %j to oclif', async (argv) => {
    expect(await answers(argv)).toBe(false);
  });

  it.each([['MLF_DEBUG'], ['MLF_DISABLE_THEME'], ['MLF_CONFIG_DIR'], ['DEBUG'], ['OCLIF_TS_NODE']])(
    'hands help to oclif when %s is set (it changes what oclif does)',
    async (name) => {
      expect(await answers(['--help'], { [name]: '1' })).toBe(false);
    },
  );

  it('hands help to oclif when the user has an oclif theme file', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-firstuse-theme-'));
    fs.mkdirSync(path.join(home, 'mlf'));
    fs.writeFileSync(path.join(home, 'mlf', 'theme.json'), '{"command": "red"}');
    expect(await answers(['--help'], { XDG_CONFIG_HOME: home })).toBe(false);
  });

  it('still shows oclif\'s help for a command named after other flags', async () => {
    const r = await runCli(['runs', 'log', '-p', 'a=1', '--help'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Create a run (or continue one)');
  });
});

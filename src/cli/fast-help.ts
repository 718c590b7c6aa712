/**
 * Help without oclif's start-up: `mlf`, `mlf --help`, `mlf <topic>` and `mlf <topic|command> --help`.
 *
 * oclif's own Help class renders, so the text is oclif's to the byte; what is skipped is
 * `Config.load` (plugin discovery, the rest of @oclif/core, ~100 ms). The stand-in config below is
 * built from the two manifests the way Config.load builds commands and topics from them (this
 * package's oclif.manifest.json and @oclif/plugin-help's). Whenever something could make oclif
 * render differently (a theme, oclif's debug or config settings, Windows or WSL, a command whose
 * help is computed at run time), `fastHelp` returns false and oclif's normal path runs.
 * MLF_NO_FAST_HELP=1 turns this off (the tests use it to get oclif's own rendering).
 * test/firstuse/fast-start.test.ts compares every help screen with oclif's own.
 *
 * @example
 * if (!(await fastHelp(root, process.argv.slice(2)))) await execute({ dir });
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface ManifestCommand {
  id: string;
  aliases?: string[];
  hiddenAliases?: string[];
  hidden?: boolean;
  hasDynamicHelp?: boolean;
  summary?: string;
  description?: string;
  args?: Record<string, unknown>;
  strict?: boolean;
  [key: string]: unknown;
}

interface Topic {
  name: string;
  description?: string;
  hidden?: boolean;
  subtopics?: Record<string, Omit<Topic, 'name'>>;
}

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  oclif: Record<string, any>;
}

interface Plugin {
  pjson: PackageJson;
  commands: ManifestCommand[];
  topics: Topic[];
}

/** Settings under which oclif's Config would differ from what is built here: leave those to oclif. */
function oclifWouldDiffer(pjson: PackageJson, bin: string): boolean {
  if (process.platform === 'win32') return true;
  const o = pjson.oclif;
  if (o.theme || o.helpClass || o.state || o.flexibleTaxonomy || o.additionalHelpFlags || o.jitPlugins || o.binAliases) return true;
  if (o.commands && typeof o.commands !== 'string') return true; // single-command or explicit strategies
  // main.run runs `init` (and `finally`) hooks around help; only command_not_found is skipped safely.
  if (Object.keys(o.hooks ?? {}).some((h) => h !== 'command_not_found')) return true;
  // oclif's own settings that reach help: <BIN>_DEBUG, _CONFIG_DIR, _DISABLE_THEME, DEBUG, OCLIF_*
  // (OCLIF_COLUMNS is read by the Help class itself).
  const scope = bin.replaceAll('@', '').replaceAll(/[/-]/g, '_').toUpperCase() + '_';
  if (['DEBUG', 'CONFIG_DIR', 'DISABLE_THEME'].some((k) => process.env[scope + k] !== undefined)) return true;
  if (Object.keys(process.env).some((k) => (k.startsWith('OCLIF_') && k !== 'OCLIF_COLUMNS') || k === 'DEBUG')) return true;
  if (isWsl()) return true;
  // A user theme (oclif reads <config dir>/theme.json).
  const home = process.env.HOME || os.homedir() || os.tmpdir();
  const configBase = process.env.XDG_CONFIG_HOME || path.join(home, '.config');
  return fs.existsSync(path.join(configBase, o.dirname || pjson.name, 'theme.json'));
}

/** oclif names WSL as its own platform in the VERSION line (is-wsl); rather than copy that test, defer. */
function isWsl(): boolean {
  if (process.platform !== 'linux') return false;
  if (os.release().toLowerCase().includes('microsoft')) return true;
  try {
    return fs.readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft');
  } catch {
    return false;
  }
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** An installed plugin's folder: the nearest node_modules/<name> above the package, as Node resolves it. */
function pluginRoot(root: string, name: string): string | undefined {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A plugin as oclif's Plugin has it after load: its pjson, its manifest's commands, its topics flattened. */
function loadPlugin(root: string): Plugin | undefined {
  const manifestFile = path.join(root, 'oclif.manifest.json');
  if (!fs.existsSync(manifestFile)) return undefined;
  const pjson = readJson<PackageJson>(path.join(root, 'package.json'));
  const manifest = readJson<{ version: string; commands: Record<string, ManifestCommand> }>(manifestFile);
  // oclif warns when the manifest was built for another version: let it.
  if (!pjson.oclif || manifest.version.split('-')[0] !== pjson.version.split('-')[0]) return undefined;
  // oclif sorts them by id with localeCompare. Help sorts again before showing anything; the one
  // place the order shows is a derived topic's description, which helpConfig sorts for (and so
  // ICU's start-up, ~20 ms, is paid only when that happens).
  const commands = Object.entries(manifest.commands).map(([id, c]) => ({ ...c, id }));
  return { pjson, commands, topics: flattenTopics(pjson.oclif.topics ?? {}, '') };
}

function flattenTopics(topics: Record<string, Omit<Topic, 'name'>>, base: string): Topic[] {
  return Object.entries(topics).flatMap(([name, t]) => [
    { ...t, name: `${base}${name}` },
    ...flattenTopics(t.subtopics ?? {}, `${base}${name}:`),
  ]);
}

/** The parts of oclif's Config that its Help reads, filled as Config.load fills them. */
function helpConfig(root: string, plugins: Plugin[]) {
  const pjson = plugins[0]!.pjson;
  const commands = new Map<string, ManifestCommand>();
  const topics = new Map<string, Topic>();
  for (const plugin of plugins) {
    for (const command of plugin.commands) {
      // A later plugin's command does not replace this package's own (oclif's priority rules).
      if (!commands.has(command.id)) commands.set(command.id, command);
      const alias = (a: string, hidden: boolean) => {
        if (!commands.has(a)) commands.set(a, { ...command, hidden, id: a });
      };
      for (const a of command.aliases ?? []) alias(a.replaceAll(' ', ':'), false);
      for (const a of command.hiddenAliases ?? []) alias(a.replaceAll(' ', ':'), true);
    }
    for (const topic of plugin.topics) {
      const existing = topics.get(topic.name);
      if (existing) {
        existing.description = topic.description || existing.description;
        existing.hidden = existing.hidden || topic.hidden;
      } else topics.set(topic.name, topic);
    }
    // Every prefix of a command id is a topic (help for a partial command), described by the
    // first of its commands in oclif's order (ids sorted by localeCompare).
    const implicit = new Map<string, ManifestCommand[]>();
    for (const c of plugin.commands.filter((c) => !c.hidden)) {
      const parts = c.id.split(':');
      for (; parts.length > 0; parts.pop()) {
        const name = parts.join(':');
        if (!topics.has(name)) implicit.set(name, [...(implicit.get(name) ?? []), c]);
      }
    }
    for (const [name, cs] of implicit) {
      const c = cs.length === 1 ? cs[0]! : [...cs].sort((a, b) => a.id.localeCompare(b.id))[0]!;
      topics.set(name, { description: c.summary || c.description, name });
    }
  }
  // oclif's Config builds these arrays on every read; they do not change after loading, so once.
  const commandList = [...commands.values()];
  const topicList = [...topics.values()];
  const commandIds = [...commands.keys()];
  const separator = [' ', ':'].includes(pjson.oclif.topicSeparator) ? pjson.oclif.topicSeparator : ':';
  const arch = os.arch() === 'ia32' ? 'x86' : os.arch();
  return {
    bin: pjson.oclif.bin || pjson.name,
    get commandIDs() {
      return commandIds;
    },
    get commands() {
      return [...commandList];
    },
    findCommand: (id: string) => commands.get(id),
    findTopic: (name: string) => topics.get(name),
    flexibleTaxonomy: false,
    isSingleCommandCLI: false,
    pjson,
    platform: os.platform(),
    plugins: new Map(plugins.map((p) => [p.pjson.name, p])),
    root,
    theme: undefined,
    topicSeparator: separator,
    get topics() {
      return [...topicList];
    },
    userAgent: `${pjson.name}/${pjson.version} ${os.platform()}-${arch} node-${process.version}`,
    windows: false,
  };
}

type HelpConfig = ReturnType<typeof helpConfig>;

/** oclif's reading of argv (main.run): the words that name a command or topic, joined by ':'. */
function commandId(argv: string[], config: HelpConfig): string | undefined {
  const usable = new Set(config.commandIDs.flatMap((id) => id.split(':').map((_, i, a) => a.slice(0, i + 1).join(':'))));
  const final: string[] = [];
  for (const arg of argv) {
    const id = [...final, arg].join(':');
    if (usable.has(id)) final.push(arg);
    else break;
  }
  return final.length > 0 ? final.join(':') : undefined;
}

/**
 * Shows help and returns true when argv asks only for help that oclif would render from the
 * manifests alone; returns false (having written nothing) for anything else.
 */
export async function fastHelp(root: string, argv: string[]): Promise<boolean> {
  // Decided from argv alone first, so that running a command costs no file read here. Only plain
  // words and one trailing --help (or nothing): flags, values and `--` are oclif's to read.
  const helpFlag = argv.length > 0 && argv.at(-1) === '--help';
  const words = helpFlag ? argv.slice(0, -1) : argv;
  if (words.some((w) => w.startsWith('-') || w.includes('=') || w.includes(':'))) return false;
  let pjson: PackageJson;
  try {
    pjson = readJson<PackageJson>(path.join(root, 'package.json'));
  } catch {
    return false;
  }
  // Without --help, words are a command to run unless they name a topic: `mlf runs` shows its help.
  // (A topic only derived from command ids is left to oclif.)
  if (!helpFlag && words.length > 0 && !flattenTopics(pjson.oclif?.topics ?? {}, '').some((t) => t.name === words.join(':'))) return false;

  const own = loadPlugin(root);
  if (!own || oclifWouldDiffer(own.pjson, own.pjson.oclif.bin || own.pjson.name)) return false;
  if ((own.pjson.oclif.plugins ?? []).some((p: string) => p !== '@oclif/plugin-help')) return false;
  const plugins = [own];
  if ((own.pjson.oclif.plugins ?? []).includes('@oclif/plugin-help')) {
    const helpRoot = pluginRoot(root, '@oclif/plugin-help');
    const help = helpRoot && loadPlugin(helpRoot);
    if (!help || Object.keys(help.pjson.oclif.hooks ?? {}).length > 0) return false;
    plugins.push(help);
  }
  const config = helpConfig(root, plugins);
  const id = commandId(words, config);
  if ((id?.split(':').length ?? 0) !== words.length) return false;
  const command = id === undefined ? undefined : config.findCommand(id);
  // `mlf` alone shows the root help; `mlf <topic>` (not itself a command) shows the topic's.
  if (!helpFlag && command) return false;
  if (command?.hasDynamicHelp) return false;
  if (id !== undefined && !command && !config.findTopic(id)) return false;
  // A CommonJS module: its exports object is the default export (the bundle offers no named ones).
  const { Help } = (await import('@oclif/core/help')).default;
  const help = new Help(config as never, config.pjson.oclif.helpOptions ?? (config.pjson as any).helpOptions);
  await help.showHelp(helpFlag ? argv : id === undefined ? [] : [id]);
  return true;
}

/**
 * oclif's parse errors as one line. oclif writes them over several lines (a heading, an indented
 * list, "See more help with --help"); printing only the first line lost what was wrong, e.g.
 * `Error: The following error occurred:`.
 */

const ANSI = /\x1b\[[0-9;]*m/g;
const NOISE = [/^See more help with --help$/i, /^The following errors? occurred:?$/i];

interface ArgLike {
  name?: string;
  description?: string;
}

/** One line saying what is wrong with the command line. */
export function usageMessage(err: Error & { args?: unknown }): string {
  if (/^Missing \d+ required args?/.test(err.message) && Array.isArray(err.args)) {
    const args = (err.args as ArgLike[]).filter((a) => a.name);
    const names = args.map((a) => (a.description ? `${a.name} (${a.description})` : a.name)).join(', ');
    return `Missing required argument${args.length === 1 ? '' : 's'}: ${names}`;
  }
  const lines: string[] = [];
  for (const raw of err.message.replace(ANSI, '').split('\n')) {
    const line = raw.trim().replace(/\s+/g, ' ');
    if (line === '') {
      if (lines.length > 0) break; // what follows a blank line is a note, not the error
      continue;
    }
    if (NOISE.some((re) => re.test(line))) continue;
    lines.push(line.replace(/:$/, ''));
  }
  // oclif names a missing flag without its dashes; mlf's own messages (and the user) write --name.
  return (lines.join(': ') || 'Invalid command line').replace(/^Missing required flag (?=\w)/, 'Missing required flag --');
}

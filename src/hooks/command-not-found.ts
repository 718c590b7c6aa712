/**
 * oclif's `command_not_found` hook: one line naming the closest command (as oclif's not-found plugin
 * would suggest, without its prompt, which would hang a CI job) and exit 2.
 */
import type { Hook } from '@oclif/core';
import { closestCommand } from '../cli/closest-command.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  const ids = [...opts.config.commandIDs, ...opts.config.commands.flatMap((c) => c.aliases ?? [])];
  const typed = opts.id.replace(/:/g, ' ');
  const best = closestCommand(opts.id, ids);
  const hint = best ? ` Did you mean "${opts.config.bin} ${best.replace(/:/g, ' ')}"?` : '';
  process.stderr.write(`Error: command ${typed} not found.${hint} Run "${opts.config.bin} --help" for the list.\n`);
  this.exit(2);
};

export default hook;

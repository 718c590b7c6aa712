/**
 * oclif's `command_not_found` hook: an unknown command is a usage error like any other — one line
 * naming it, the closest command (as oclif's not-found plugin would suggest, without its prompt,
 * which would hang a CI job) and the help to read, exit 2, and MLflow's JSON error object under --json.
 */
import { Errors, type Hook } from '@oclif/core';
import { closestCommand } from '../cli/closest-command.js';

const hook: Hook<'command_not_found'> = async function ({ id, argv, config }) {
  const words = id.split(':');
  const topic = words.length > 1 && config.topics.some((t) => t.name === words[0]) ? `${words[0]} ` : '';
  const ids = [...config.commandIDs, ...config.commands.flatMap((c) => c.aliases ?? [])];
  const best = closestCommand(id, ids);
  const hint = best ? ` Did you mean '${config.bin} ${best.replace(/:/g, ' ')}'?` : '';
  const message = `Unknown command: ${config.bin} ${words.join(' ')}.${hint} See '${config.bin} ${topic}--help'.`;
  if (argv?.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: { error_code: 'INVALID_PARAMETER_VALUE', message } }, null, 2)}\n`);
  } else {
    process.stderr.write(`Error: ${message}\n`);
  }
  throw new Errors.ExitError(2);
};

export default hook;

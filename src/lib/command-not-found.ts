/**
 * oclif's `command_not_found` hook: an unknown command is a usage error like any other, so it gets
 * one line naming it and the help to read, exit 2, and MLflow's JSON error object under --json
 * (oclif's own message printed nothing on stdout, and `runs:lst` in its spelling).
 */
import { Errors, type Hook } from '@oclif/core';

const hook: Hook<'command_not_found'> = async function ({ id, argv }) {
  const words = id.split(':');
  const topic = words.length > 1 && this.config.topics.some((t) => t.name === words[0]) ? `${words[0]} ` : '';
  const message = `Unknown command: ${this.config.bin} ${words.join(' ')}. See '${this.config.bin} ${topic}--help'.`;
  if (argv?.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: { error_code: 'INVALID_PARAMETER_VALUE', message } }, null, 2)}\n`);
  } else {
    process.stderr.write(`Error: ${message}\n`);
  }
  throw new Errors.ExitError(2);
};

export default hook;

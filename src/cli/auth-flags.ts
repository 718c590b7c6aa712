/** Flags shared by the `mlf users` commands (here, not in src/commands, where every file is a command). */
import { Flags } from '@oclif/core';

export const usernameFlag = Flags.string({ char: 'u', description: 'User name', required: true });

export const passwordFlags = {
  password: Flags.string({ description: 'The password (visible to other local users in the process list: prefer --password-stdin)' }),
  'password-stdin': Flags.boolean({ default: false, description: 'Read the password from stdin' }),
};

export const targetFlags = {
  'experiment-id': Flags.string({ char: 'x', description: 'Experiment id the permission is on' }),
  model: Flags.string({ char: 'm', description: 'Registered model name the permission is on' }),
};

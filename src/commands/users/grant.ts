import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { targetFlags, usernameFlag } from '../../cli/auth-flags.js';

export interface UsersGrantResult {
  username: string;
  experiment_id?: string;
  name?: string;
  permission: string;
  created: boolean;
}

export default class UsersGrant extends BaseCommand<typeof UsersGrant> {
  static override description = "Set a user's permission on an experiment or a registered model (created, or updated if they have one). Needs MANAGE on it, or admin.";
  static override examples = [
    '<%= config.bin %> <%= command.id %> --tracking-uri http://mlflow:5000 -u alice --experiment-id 3 --permission EDIT',
    '<%= config.bin %> <%= command.id %> -u bob --model churn --permission READ',
  ];
  static override flags = {
    ...targetFlags,
    permission: Flags.string({ char: 'p', description: 'Permission level', options: ['READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'], required: true }),
    username: usernameFlag,
  };

  async run(): Promise<UsersGrantResult> {
    const { flags } = await this.parse(UsersGrant);
    const { AuthClient, permissionTarget } = await import('../../cli/auth-client.js');
    const { getTrackingUri } = await import('../../tracking/uri.js');
    const target = permissionTarget(flags);
    const { created } = await AuthClient.forTrackingUri(getTrackingUri(flags['tracking-uri'])).grant(flags.username, target, flags.permission);
    const on = 'experimentId' in target ? `experiment ${target.experimentId}` : `model '${target.model}'`;
    this.log(`${created ? 'Granted' : 'Changed to'} ${flags.permission} on ${on} for '${flags.username}'`);
    return 'experimentId' in target
      ? { username: flags.username, experiment_id: target.experimentId, permission: flags.permission, created }
      : { username: flags.username, name: target.model, permission: flags.permission, created };
  }
}

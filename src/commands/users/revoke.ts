import { BaseCommand } from '../../lib/base-command.js';
import { targetFlags, usernameFlag } from '../../cli/auth-flags.js';

export default class UsersRevoke extends BaseCommand<typeof UsersRevoke> {
  static override description = "Remove a user's permission on an experiment or a registered model (the server's default permission then applies).";
  static override examples = ['<%= config.bin %> <%= command.id %> --tracking-uri http://mlflow:5000 -u alice --experiment-id 3', '<%= config.bin %> <%= command.id %> -u bob --model churn'];
  static override flags = { ...targetFlags, username: usernameFlag };

  async run(): Promise<{ username: string; experiment_id?: string; name?: string }> {
    const { flags } = await this.parse(UsersRevoke);
    const { AuthClient, permissionTarget } = await import('../../cli/auth-client.js');
    const { getTrackingUri } = await import('../../tracking/uri.js');
    const target = permissionTarget(flags);
    await AuthClient.forTrackingUri(getTrackingUri(flags['tracking-uri'])).revoke(flags.username, target);
    const on = 'experimentId' in target ? `experiment ${target.experimentId}` : `model '${target.model}'`;
    this.log(`Revoked the permission on ${on} for '${flags.username}'`);
    return 'experimentId' in target ? { username: flags.username, experiment_id: target.experimentId } : { username: flags.username, name: target.model };
  }
}

import { BaseCommand } from '../../lib/base-command.js';
import type { AuthUser } from '../../cli/auth-client.js';
import { usernameFlag } from '../../cli/auth-flags.js';

export default class UsersGet extends BaseCommand<typeof UsersGet> {
  static override description = 'Show a user and their experiment and registered-model permissions (yourself, or anyone for an admin).';
  static override examples = ['<%= config.bin %> <%= command.id %> --tracking-uri http://mlflow:5000 -u alice --json'];
  static override flags = { username: usernameFlag };

  async run(): Promise<AuthUser> {
    const { flags } = await this.parse(UsersGet);
    const { AuthClient } = await import('../../cli/auth-client.js');
    const { getTrackingUri } = await import('../../tracking/uri.js');
    const user = await AuthClient.forTrackingUri(getTrackingUri(flags['tracking-uri'])).getUser(flags.username);
    this.log(`${user.username} (id ${user.id})${user.is_admin ? ', admin' : ''}`);
    for (const p of user.experiment_permissions) this.log(`  experiment ${p.experiment_id}: ${p.permission}`);
    for (const p of user.registered_model_permissions) this.log(`  model ${p.name}: ${p.permission}`);
    return user;
  }
}

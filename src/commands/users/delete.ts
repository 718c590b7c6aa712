import { BaseCommand } from '../../lib/base-command.js';
import { usernameFlag } from '../../cli/auth-flags.js';

export default class UsersDelete extends BaseCommand<typeof UsersDelete> {
  static override description = 'Delete a user and their permissions (admins only).';
  static override examples = ['<%= config.bin %> <%= command.id %> --tracking-uri http://mlflow:5000 -u alice'];
  static override flags = { username: usernameFlag };

  async run(): Promise<{ username: string }> {
    const { flags } = await this.parse(UsersDelete);
    const { AuthClient } = await import('../../cli/auth-client.js');
    const { getTrackingUri } = await import('../../tracking/uri.js');
    await AuthClient.forTrackingUri(getTrackingUri(flags['tracking-uri'])).deleteUser(flags.username);
    this.log(`Deleted user '${flags.username}'`);
    return { username: flags.username };
  }
}

import { BaseCommand } from '../../lib/base-command.js';
import type { AuthUser } from '../../cli/auth-client.js';
import { passwordFlags, usernameFlag } from '../../cli/auth-flags.js';

export default class UsersCreate extends BaseCommand<typeof UsersCreate> {
  static override description = "Create a user on a tracking server run with --app-name basic-auth (admins only). Signs in with MLFLOW_TRACKING_USERNAME/_PASSWORD.";
  static override examples = [
    "printf '%s' \"$NEW_PW\" | <%= config.bin %> <%= command.id %> --tracking-uri http://mlflow:5000 -u alice --password-stdin",
  ];
  static override flags = { ...passwordFlags, username: usernameFlag };

  async run(): Promise<AuthUser> {
    const { flags } = await this.parse(UsersCreate);
    const { AuthClient, passwordFromFlags } = await import('../../cli/auth-client.js');
    const { getTrackingUri } = await import('../../tracking/uri.js');
    const password = await passwordFromFlags(flags);
    const user = await AuthClient.forTrackingUri(getTrackingUri(flags['tracking-uri'])).createUser(flags.username, password);
    this.log(`Created user '${user.username}' (id ${user.id})`);
    return user;
  }
}

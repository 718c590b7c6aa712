import { BaseCommand } from '../../lib/base-command.js';
import { passwordFlags, usernameFlag } from '../../cli/auth-flags.js';

export default class UsersUpdatePassword extends BaseCommand<typeof UsersUpdatePassword> {
  static override description = "Change a user's password (your own, or anyone's for an admin).";
  static override examples = ["printf '%s' \"$NEW_PW\" | <%= config.bin %> <%= command.id %> --tracking-uri http://mlflow:5000 -u alice --password-stdin"];
  static override flags = { ...passwordFlags, username: usernameFlag };

  async run(): Promise<{ username: string }> {
    const { flags } = await this.parse(UsersUpdatePassword);
    const { AuthClient, passwordFromFlags } = await import('../../cli/auth-client.js');
    const { getTrackingUri } = await import('../../tracking/uri.js');
    const password = await passwordFromFlags(flags);
    await AuthClient.forTrackingUri(getTrackingUri(flags['tracking-uri'])).updatePassword(flags.username, password);
    this.log(`Updated the password of '${flags.username}'`);
    return { username: flags.username };
  }
}

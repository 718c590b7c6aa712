import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { usernameFlag } from '../../cli/auth-flags.js';

export default class UsersUpdateAdmin extends BaseCommand<typeof UsersUpdateAdmin> {
  static override description = 'Make a user an admin, or not (admins only).';
  static override examples = ['<%= config.bin %> <%= command.id %> --tracking-uri http://mlflow:5000 -u alice --admin', '<%= config.bin %> <%= command.id %> -u alice --no-admin'];
  static override flags = {
    admin: Flags.boolean({ allowNo: true, description: 'Admin (--admin) or not (--no-admin)', required: true }),
    username: usernameFlag,
  };

  async run(): Promise<{ username: string; is_admin: boolean }> {
    const { flags } = await this.parse(UsersUpdateAdmin);
    const { AuthClient } = await import('../../cli/auth-client.js');
    const { getTrackingUri } = await import('../../tracking/uri.js');
    await AuthClient.forTrackingUri(getTrackingUri(flags['tracking-uri'])).updateAdmin(flags.username, flags.admin);
    this.log(`'${flags.username}' is ${flags.admin ? 'now' : 'no longer'} an admin`);
    return { username: flags.username, is_admin: flags.admin };
  }
}

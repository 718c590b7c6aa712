/**
 * What every mlf command shares: `--json` (oclif's), opening and closing the store (and
 * `--tracking-uri` for the commands that honour it, BaseCommand),
 * and turning errors into one line on stderr with MLflow's meaning and mlf's exit codes
 * (1 a failed operation, 2 bad input). Never a stack trace unless MLF_DEBUG is set.
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { isMlfError, MlfError, type ExitCode } from './errors.js';
import { usageMessage } from './usage-message.js';
import { maskUri } from '../tracking/uri.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import type { OpenStoreOptions } from '../stores/open-store.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

/**
 * A command that takes its store some other way (an argument, --backend-store-uri) and so has no
 * --tracking-uri, which it would ignore: `db upgrade`, `db current`, `server`.
 */
export abstract class MlfCommand extends Command {
  static override enableJsonFlag = true;

  protected stores: TrackingStore[] = [];

  /**
   * Open the store for a URI (or the resolved default) and close it when the command ends.
   * A command's store lives as long as the command, so `sqlite://` (in memory) is refused.
   */
  protected async openStore(uri?: string, opts?: OpenStoreOptions): Promise<TrackingStore> {
    const { openTrackingStore } = await import('../stores/open-store.js');
    const store = await openTrackingStore(uri, { oneShot: true, ...opts });
    this.stores.push(store);
    return store;
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    // oclif's own parse errors (unknown flag, missing argument) are usage errors: exit 2.
    // They say what is wrong in one line, as every mlf error does (and as JSON under --json).
    const e = isMlfError(err)
      ? err
      : err instanceof Errors.CLIError
        ? new MlfError(usageMessage(err), 'INVALID_PARAMETER_VALUE', usageExit(err))
        : new MlfError(String(err?.message ?? err), 'INTERNAL_ERROR', 1);
    if (process.env.MLF_DEBUG && err.stack) this.logToStderr(maskUri(err.stack));
    if (this.jsonEnabled()) {
      this.logJson({ error: { error_code: e.errorCode, message: maskUri(e.message) } });
    } else {
      this.logToStderr(`Error: ${maskUri(e.message).split('\n')[0]}`);
    }
    throw new Errors.ExitError(e.exitCode);
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    await Promise.all(this.stores.map((s) => s.close().catch(() => undefined)));
    this.stores = [];
    return super.finally(err);
  }
}

/** A command on a tracking store: MlfCommand plus --tracking-uri. */
export abstract class BaseCommand<T extends typeof Command = typeof Command> extends MlfCommand {
  static override baseFlags = {
    'tracking-uri': Flags.string({
      description: 'Tracking URI: a folder, file:, sqlite:, postgresql:, mysql:, mssql: or http(s): (default: $MLFLOW_TRACKING_URI, then ./mlruns)',
      helpGroup: 'GLOBAL',
    }),
  };
}

/** oclif's exit code for its own errors, where its default (1, or none) means bad usage: 2. */
function usageExit(err: Errors.CLIError): ExitCode {
  const exit = err.oclif?.exit;
  return (exit === undefined || exit === 1 ? 2 : exit) as ExitCode;
}

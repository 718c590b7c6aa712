/**
 * What every mlf command shares: `--tracking-uri`, `--json` (oclif's), opening and closing the store,
 * and turning errors into one line on stderr with MLflow's meaning and mlf's exit codes
 * (1 a failed operation, 2 bad input). Never a stack trace unless MLF_DEBUG is set.
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { isMlfError, MlfError } from './errors.js';
import { maskUri } from '../tracking/uri.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import type { OpenStoreOptions } from '../stores/open-store.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

export abstract class BaseCommand<T extends typeof Command = typeof Command> extends Command {
  static override baseFlags = {
    'tracking-uri': Flags.string({
      description: 'Tracking URI: a folder, file:, sqlite:, postgresql:, mysql:, mssql: or http(s): (default: $MLFLOW_TRACKING_URI, then ./mlruns)',
      helpGroup: 'GLOBAL',
    }),
  };
  static override enableJsonFlag = true;

  protected stores: TrackingStore[] = [];

  /** Open the store for a URI (or the resolved default) and close it when the command ends. */
  protected async openStore(uri?: string, opts?: OpenStoreOptions): Promise<TrackingStore> {
    const { openTrackingStore } = await import('../stores/open-store.js');
    const store = await openTrackingStore(uri, opts);
    this.stores.push(store);
    return store;
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    // oclif's own parse errors (unknown flag, missing argument) are usage errors: exit 2.
    if (err instanceof Errors.CLIError && !isMlfError(err)) {
      const exit = (err as Errors.CLIError).oclif?.exit;
      this.logToStderr(`Error: ${maskUri(err.message.split('\n')[0] ?? '')}`);
      throw new Errors.ExitError(exit === 1 || exit === undefined ? 2 : exit);
    }
    const e = isMlfError(err) ? err : new MlfError(String(err?.message ?? err), 'INTERNAL_ERROR', 1);
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

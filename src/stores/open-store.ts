/**
 * Tracking URI → the right store. Store modules are imported lazily, so `mlf --help` and a CLI call
 * on a file store never load a database driver.
 *
 * @example
 * const store = await openTrackingStore(getTrackingUri(flags['tracking-uri']));
 */
import { getTrackingUri, parseStoreUri, type StoreUri } from '../tracking/uri.js';
import type { TrackingStore } from './tracking-store.js';
import { MlfError } from '../lib/errors.js';

export interface OpenStoreOptions {
  /**
   * Default artifact root for new experiments. File store: the store root's `file://` URI.
   * SQL store: `./mlruns` made absolute (MLflow's default for a database store).
   */
  artifactRoot?: string;
  /**
   * What to do with a database whose schema is not at head. `check` (the default): initialise an
   * empty database, refuse an out-of-date one with MLflow's message. `none`: open it as it is
   * (for `db upgrade` and `db current`).
   */
  schema?: 'check' | 'none';
  cwd?: string;
  /**
   * Only reads follow (`list`, `describe`): open read-only, change nothing, and fail with
   * "No MLflow store at ..." (exit 1) where there is none, instead of creating one.
   */
  readOnly?: boolean;
  /**
   * The store lives as long as one CLI command: an in-memory SQLite database (`sqlite://`) would
   * vanish with it, so it is refused. Only a server can use one.
   */
  oneShot?: boolean;
  /** The caller is about to write: refuse a corrupt SQLite file first (`PRAGMA quick_check`). */
  writing?: boolean;
  /** A server: SQLite's writes run in a worker thread, off the event loop. */
  writerThread?: boolean;
}

export async function openTrackingStore(uri?: string, opts: OpenStoreOptions = {}): Promise<TrackingStore> {
  const resolved = getTrackingUri(uri);
  const parsed = parseStoreUri(resolved, opts.cwd);
  if (opts.oneShot) refuseInMemory(parsed);
  return openParsedStore(parsed, opts);
}

export async function openParsedStore(parsed: StoreUri, opts: OpenStoreOptions = {}): Promise<TrackingStore> {
  switch (parsed.kind) {
    case 'file': {
      const { FileStore } = await import('./file/file-store.js');
      return FileStore.open(parsed.root, { artifactRoot: opts.artifactRoot, readOnly: opts.readOnly });
    }
    case 'sql': {
      const { SqlStore } = await import('./sql/sql-store.js');
      return SqlStore.open(parsed, { artifactRoot: opts.artifactRoot, schema: opts.schema ?? 'check', cwd: opts.cwd, readOnly: opts.readOnly, integrityCheck: opts.writing, writerThread: opts.writerThread });
    }
    case 'rest':
    case 'databricks': {
      const { RestStore } = await import('./rest/rest-store.js');
      return RestStore.open(parsed);
    }
  }
}

/** A one-shot command's refusal of `sqlite://` (in memory): whatever it wrote would be lost at exit. */
export function refuseInMemory(parsed: StoreUri): void {
  if (parsed.kind === 'sql' && parsed.dialect === 'sqlite' && parsed.sqlitePath === ':memory:') {
    throw new MlfError(
      `'${parsed.uri}' is an in-memory SQLite database, gone when this command exits; only 'mlf server' can use one. ` +
        'Give a file: sqlite:///relative/path/to/file.db or sqlite:////absolute/path/to/file.db',
      'INVALID_PARAMETER_VALUE',
    );
  }
}

/**
 * Tracking URI → the right store. Store modules are imported lazily, so `mlf --help` and a CLI call
 * on a file store never load a database driver.
 *
 * @example
 * const store = await openTrackingStore(getTrackingUri(flags['tracking-uri']));
 */
import { getTrackingUri, parseStoreUri, type StoreUri } from '../tracking/uri.js';
import type { TrackingStore } from './tracking-store.js';

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
  /** The caller is about to write: refuse a corrupt SQLite file first (`PRAGMA quick_check`). */
  writing?: boolean;
}

export async function openTrackingStore(uri?: string, opts: OpenStoreOptions = {}): Promise<TrackingStore> {
  const resolved = getTrackingUri(uri);
  const parsed = parseStoreUri(resolved, opts.cwd);
  return openParsedStore(parsed, opts);
}

export async function openParsedStore(parsed: StoreUri, opts: OpenStoreOptions = {}): Promise<TrackingStore> {
  switch (parsed.kind) {
    case 'file': {
      const { FileStore } = await import('./file/file-store.js');
      return FileStore.open(parsed.root, { artifactRoot: opts.artifactRoot });
    }
    case 'sql': {
      const { SqlStore } = await import('./sql/sql-store.js');
      return SqlStore.open(parsed, { artifactRoot: opts.artifactRoot, schema: opts.schema ?? 'check', cwd: opts.cwd, integrityCheck: opts.writing });
    }
    case 'rest':
    case 'databricks': {
      const { RestStore } = await import('./rest/rest-store.js');
      return RestStore.open(parsed);
    }
  }
}

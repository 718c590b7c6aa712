/**
 * MLflow's file store (`./mlruns`), read and written in MLflow's exact layout, with MLflow's
 * semantics and the SQL store's messages where MLflow's two stores word things differently.
 *
 * Speed: a search reads only what its filter, order and returned page need. Run `meta.yaml` files
 * go through a small hand parser; metric files are read only for metrics the filter or order
 * names; params, tags and inputs likewise; full runs are built only for the page returned.
 *
 * Safety: ids and keys are validated before they become paths, every path is joined under the
 * root with a containment check, writes resolve their folder's realpath first (a symlink cannot
 * carry them outside), meta/param/tag files are replaced by rename, metric lines are appended in
 * one write per key.
 *
 * This class only opens the store; ../role-store.ts hands each call to the role files of ./tracking/
 * (the same names as the SQL store's), which take the executor (the root and its checked I/O) first.
 *
 * @example
 * const store = await FileStore.open('/home/me/mlruns', {});
 * const run = await store.createRun({ experimentId: '0', startTime: Date.now() });
 * await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.5, timestamp: Date.now(), step: 0 }] });
 */
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../../lib/errors.js';
import { maskUri, pathToFileUri } from '../../tracking/uri.js';
import { noStoreError } from '../no-store.js';
import { FileTraceStoreV3 } from './traces-v3.js';
import { runAt } from './tracking/runs.js';
import { registryNeedsDatabase } from '../../tracking/messages.js';
import type { RegistryStore } from '../registry-store.js';
import type { FolderHousekeeping, StoreCapabilities, TrackingStore } from '../tracking-store.js';
import { removePurgeLeftovers, trashedPath } from './housekeeping.js';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, META } from './layout.js';
import { loadYamlFallback } from './meta-yaml.js';
import { FileLoggedModels } from './logged-models.js';
import { FileExecutor } from './tracking/executor.js';
import * as experiments from './tracking/experiments.js';
import * as inputs from './tracking/inputs.js';
import * as logging from './tracking/log-batch.js';
import * as history from './tracking/metric-history.js';
import * as purge from './tracking/purge.js';
import * as runs from './tracking/runs.js';
import * as search from './tracking/search.js';
import { RoleStore, type TrackingRoles } from '../role-store.js';

const ROLES: TrackingRoles<FileExecutor> = { experiments, runs, search, logging, inputs, history, purge };

export class FileStore extends RoleStore<FileExecutor> implements TrackingStore {
  readonly kind = 'file' as const;
  readonly displayUri: string;
  /** Absolute path of the store root, as given. */
  readonly root: string;
  /** Default artifact root of new experiments (`file://<root>` unless set). */
  readonly artifactRoot: string;
  readonly capabilities: StoreCapabilities = { transactions: false, hardDelete: true, registry: false, purgeUnit: 'files' };
  readonly housekeeping: FolderHousekeeping;

  private constructor(root: string, artifactRoot: string, onWarning?: (message: string) => void) {
    super(new FileExecutor(root, artifactRoot, onWarning), ROLES);
    this.root = root;
    this.artifactRoot = artifactRoot;
    this.displayUri = maskUri(pathToFileUri(root));
    this.housekeeping = {
      root,
      removePurgeLeftovers: (now) => removePurgeLeftovers(root, now),
      trashedPath: (p) => trashedPath(root, p),
    };
  }

  /**
   * Opens (and, if the folder does not exist, creates) a file store. A new root gets the `Default`
   * experiment `0`, as MLflow does; `.trash/` is created when missing.
   * `readOnly`: only reads follow, so a folder that holds no store is an error, never created.
   */
  static async open(root: string, opts: { artifactRoot?: string; readOnly?: boolean; onWarning?: (message: string) => void } = {}): Promise<FileStore> {
    await loadYamlFallback();
    const abs = path.resolve(root);
    const artifactRoot = opts.artifactRoot ? experiments.resolveLocalUri(opts.artifactRoot) : pathToFileUri(abs);
    const existed = fs.existsSync(abs);
    if (existed && !fs.statSync(abs).isDirectory()) {
      throw new MlfError(`'${abs}' is not a directory.`, 'INVALID_PARAMETER_VALUE');
    }
    if (opts.readOnly) {
      if (!existed || !looksLikeFileStore(abs)) throw noStoreError(abs);
      return new FileStore(abs, artifactRoot, opts.onWarning);
    }
    if (!existed) fs.mkdirSync(abs, { recursive: true });
    const store = new FileStore(abs, artifactRoot, opts.onWarning);
    if (!existed) experiments.createExperimentWithId(store.x, DEFAULT_EXPERIMENT_NAME, DEFAULT_EXPERIMENT_ID, undefined, []);
    fs.mkdirSync(store.x.trash, { recursive: true });
    return store;
  }

  private loggedModelStore?: FileLoggedModels;
  /** MLflow 3's logged models, under `<experiment>/models/<model_id>/`. */
  get loggedModels(): FileLoggedModels {
    return (this.loggedModelStore ??= new FileLoggedModels(this));
  }

  async openRegistry(): Promise<RegistryStore> {
    throw registryNeedsDatabase();
  }

  /** A run's folder and stage, for the logged-model links (run-links.ts). */
  runFolder(runId: string): { dir: string; lifecycleStage: string } {
    const { loc, info } = runAt(this.x, runId);
    return { dir: loc.dir, lifecycleStage: info.lifecycleStage };
  }

  private traceStore?: FileTraceStoreV3;
  /** MLflow 2.17's and MLflow 3's traces, under `<experiment>/traces/<trace_id>/`. */
  get traces(): FileTraceStoreV3 {
    return (this.traceStore ??= new FileTraceStoreV3(this, this.x.warn));
  }

  async close(): Promise<void> {
    this.x.runLocations.clear();
  }

  async atomic<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T> {
    // No transactions on a folder: callers validate everything before the first write.
    return fn(this);
  }
}

/** A folder MLflow's file store has written: its trash folder or an experiment's meta.yaml. */
function looksLikeFileStore(root: string): boolean {
  if (fs.existsSync(path.join(root, '.trash'))) return true;
  return fs.readdirSync(root, { withFileTypes: true }).some((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, META)));
}

/**
 * The Model Registry store: MLflow's `mlflow/store/model_registry/abstract_store.py` with the
 * semantics of its SQL implementation (`sqlalchemy_store.py`, MLflow 2.17). The server's registry
 * routes talk only to this. The one implementation is on a database (src/stores/sql/registry/);
 * a file store has no registry in mlf (FEATURE_DISABLED, registryNeedsDatabase in src/tracking/messages.ts).
 *
 * Conventions:
 * - Timestamps are epoch milliseconds. Versions are numbers here; the REST layer writes them as
 *   strings (src/tracking/registry-json.ts). A version given as text is accepted where MLflow
 *   accepts it (`int(version)`), else `Parameter 'version' must be an integer, got '<v>'.`
 * - A deleted model version is kept as a row with stage `Deleted_Internal` (source, run id and run
 *   link redacted, description and user cleared, aliases removed): no call ever shows it again,
 *   and its number is never reused.
 * - Errors are `MlfError` with MLflow's codes and messages, e.g.
 *   `Registered Model with name=m not found` (RESOURCE_DOES_NOT_EXIST),
 *   `Model Version (name=m, version=3) not found` (RESOURCE_DOES_NOT_EXIST).
 *
 * @example
 * const reg = await openRegistryStore('sqlite:///mlflow.db');
 * await reg.createRegisteredModel({ name: 'churn' });
 * const v = await reg.createModelVersion({ name: 'churn', source: 'mlflow-artifacts:/1/abc/artifacts/model', runId: 'abc' });
 * await reg.setRegisteredModelAlias('churn', 'champion', v.version);
 * await reg.transitionModelVersionStage('churn', v.version, 'production', true);
 * await reg.close();
 */
import type { PagedList } from '../tracking/entities.js';
import type { ModelVersion, RegisteredModel, RegistryTag } from '../tracking/registry-entities.js';

// The entities live with the other shared rules; re-exported for the stores and their callers.
export * from '../tracking/registry-entities.js';

export interface CreateRegisteredModelOptions {
  name: string;
  tags?: RegistryTag[];
  description?: string | null;
}

export interface CreateModelVersionOptions {
  name: string;
  source: string;
  runId?: string | null;
  tags?: RegistryTag[];
  runLink?: string | null;
  description?: string | null;
  /**
   * The logged model (MLflow 3's `model_id` request field). MLflow's SQL registry keeps no column
   * for it; the REST store sends it on, and the server records the version on the logged model.
   */
  modelId?: string;
}

export interface SearchRegistryOptions {
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface RegistryStore {
  /** The registry URI with any password masked. */
  readonly displayUri: string;

  /**
   * Creates a registered model (creation and last-updated time = now). Tags with the same key:
   * the last wins. `RESOURCE_ALREADY_EXISTS` "Registered Model (name=<n>) already exists. Error: <db error>".
   */
  createRegisteredModel(opts: CreateRegisteredModelOptions): Promise<RegisteredModel>;
  /** Sets the description (null clears it) and bumps last-updated time. */
  updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel>;
  /**
   * Renames a model and every row that names it (versions, tags, aliases, version tags); each
   * version's last-updated time is bumped, as MLflow does. A taken name is RESOURCE_ALREADY_EXISTS.
   */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  /** Deletes the model with its versions (deleted ones too), tags, version tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /**
   * Filter grammar of MLflow's `SearchModelUtils`: `name` (=, !=, LIKE, ILIKE) and `tags.<key>`
   * (=, !=, LIKE, ILIKE), AND-ed. Order by `name`, `timestamp`/`last_updated_timestamp`; always
   * ends with `name ASC`. maxResults default 100, at most 1000.
   */
  searchRegisteredModels(opts?: SearchRegistryOptions): Promise<PagedList<RegisteredModel>>;
  /** The newest version in each of `stages` (all stages when empty), stage names in any case. */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, tag: RegistryTag): Promise<void>;
  /** Deleting a tag that is not there is not an error (the model must exist). */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  /**
   * Adds the next version (1 + the highest ever, deleted ones included), stage `None`, status
   * `READY`; bumps the model's last-updated time. A `models:/<name>/<version>` source takes that
   * version's storage location.
   */
  createModelVersion(opts: CreateModelVersionOptions): Promise<ModelVersion>;
  /** Sets the description (null clears it) and bumps the version's last-updated time. */
  updateModelVersion(name: string, version: number | string, description: string | null): Promise<ModelVersion>;
  /**
   * Moves a version to a stage (None/Staging/Production/Archived, any case). With
   * `archiveExistingVersions` (only for Staging/Production) every other version in that stage
   * becomes Archived. Bumps the model's and the versions' last-updated times.
   */
  transitionModelVersionStage(name: string, version: number | string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion>;
  /** Soft delete: see the conventions above. */
  deleteModelVersion(name: string, version: number | string): Promise<void>;
  getModelVersion(name: string, version: number | string): Promise<ModelVersion>;
  /** The version's storage location, or its source when it has none. */
  getModelVersionDownloadUri(name: string, version: number | string): Promise<string>;
  /**
   * Filter grammar of MLflow's `SearchModelVersionUtils`: `name`, `run_id` (also `IN (...)`),
   * `source_path` (=, !=, LIKE, ILIKE), `version_number` (numeric comparators) and `tags.<key>`.
   * Default order `last_updated_timestamp DESC, name ASC, version_number DESC`. maxResults default
   * 10000, at most 200000.
   */
  searchModelVersions(opts?: SearchRegistryOptions): Promise<PagedList<ModelVersion>>;
  setModelVersionTag(name: string, version: number | string, tag: RegistryTag): Promise<void>;
  deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void>;

  /**
   * Points `alias` at a version (moving it if it exists). Reserved: `latest` (any case) and
   * `v<digits>`; only letters, digits, `_` and `-`, at most 255 characters.
   */
  setRegisteredModelAlias(name: string, alias: string, version: number | string): Promise<void>;
  /** Deleting an alias that is not there is not an error (the model must exist). */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  /** INVALID_PARAMETER_VALUE "Registered model alias <a> not found." when absent. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  /** Closes the connection if this store owns it (a store sharing a tracking store's does not). */
  close(): Promise<void>;
}

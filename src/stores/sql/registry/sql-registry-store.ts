/**
 * The Model Registry on MLflow's SQL schema (registered_models, model_versions,
 * registered_model_tags, model_version_tags, registered_model_aliases), one implementation for
 * every dialect. Semantics and messages are MLflow 2.17's `SqlAlchemyStore` (model registry).
 *
 * Where mlf differs on purpose:
 * - names are compared case-sensitively on every dialect (MySQL's default collation would find
 *   `Churn` when asked for `churn`);
 * - a registered model and its children are read with a handful of set queries, not one query per
 *   version as SQLAlchemy's lazy relationships do.
 *
 * This class only composes the role files of this folder, which take a {@link RegistryExecutor}
 * first, as the SQL tracking store composes ../tracking/.
 */
import { maskUri } from '../../../tracking/uri.js';
import type { PagedList } from '../../../tracking/entities.js';
import type {
  CreateModelVersionOptions,
  CreateRegisteredModelOptions,
  ModelVersion,
  RegisteredModel,
  RegistryStore,
  RegistryTag,
  SearchRegistryOptions,
} from '../../registry-store.js';
import type { SqlConnection } from '../connect.js';
import * as aliases from './aliases.js';
import { RegistryExecutor } from './executor.js';
import * as versions from './model-versions.js';
import * as models from './registered-models.js';
import * as search from './search.js';

type Version = number | string;

export class SqlRegistryStore implements RegistryStore {
  readonly displayUri: string;
  private readonly x: RegistryExecutor;

  /** `owns`: close the connection on `close()` (false when it is a tracking store's). */
  constructor(
    private readonly conn: SqlConnection,
    private readonly owns: boolean,
  ) {
    this.x = new RegistryExecutor(conn);
    this.displayUri = maskUri(conn.uri.uri);
  }

  async close(): Promise<void> {
    if (this.owns) await this.conn.close();
  }

  // registered models
  createRegisteredModel(opts: CreateRegisteredModelOptions): Promise<RegisteredModel> { return models.createRegisteredModel(this.x, opts); }
  updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel> { return models.updateRegisteredModel(this.x, name, description); }
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> { return models.renameRegisteredModel(this.x, name, newName); }
  deleteRegisteredModel(name: string): Promise<void> { return models.deleteRegisteredModel(this.x, name); }
  getRegisteredModel(name: string): Promise<RegisteredModel> { return models.getRegisteredModel(this.x, name); }
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> { return models.getLatestVersions(this.x, name, stages); }
  setRegisteredModelTag(name: string, tag: RegistryTag): Promise<void> { return models.setRegisteredModelTag(this.x, name, tag); }
  deleteRegisteredModelTag(name: string, key: string): Promise<void> { return models.deleteRegisteredModelTag(this.x, name, key); }

  // model versions
  createModelVersion(opts: CreateModelVersionOptions): Promise<ModelVersion> { return versions.createModelVersion(this.x, opts); }
  updateModelVersion(name: string, version: Version, description: string | null): Promise<ModelVersion> {
    return versions.updateModelVersion(this.x, name, version, description);
  }
  transitionModelVersionStage(name: string, version: Version, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    return versions.transitionModelVersionStage(this.x, name, version, stage, archiveExistingVersions);
  }
  deleteModelVersion(name: string, version: Version): Promise<void> { return versions.deleteModelVersion(this.x, name, version); }
  getModelVersion(name: string, version: Version): Promise<ModelVersion> { return versions.getModelVersion(this.x, name, version); }
  getModelVersionDownloadUri(name: string, version: Version): Promise<string> { return versions.getModelVersionDownloadUri(this.x, name, version); }
  setModelVersionTag(name: string, version: Version, tag: RegistryTag): Promise<void> { return versions.setModelVersionTag(this.x, name, version, tag); }
  deleteModelVersionTag(name: string, version: Version, key: string): Promise<void> { return versions.deleteModelVersionTag(this.x, name, version, key); }

  // search
  searchRegisteredModels(opts: SearchRegistryOptions = {}): Promise<PagedList<RegisteredModel>> { return search.searchRegisteredModels(this.x, opts); }
  searchModelVersions(opts: SearchRegistryOptions = {}): Promise<PagedList<ModelVersion>> { return search.searchModelVersions(this.x, opts); }

  // aliases
  setRegisteredModelAlias(name: string, alias: string, version: Version): Promise<void> { return aliases.setRegisteredModelAlias(this.x, name, alias, version); }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> { return aliases.deleteRegisteredModelAlias(this.x, name, alias); }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> { return aliases.getModelVersionByAlias(this.x, name, alias); }
}

/**
 * The Model Registry's entities and MLflow's constants for them, shared by the registry stores, the
 * REST layer (registry-json.ts) and the CLI. Timestamps are epoch milliseconds; versions are numbers
 * (the REST layer writes them as strings).
 */
export const STAGE_NONE = 'None';
export const STAGE_STAGING = 'Staging';
export const STAGE_PRODUCTION = 'Production';
export const STAGE_ARCHIVED = 'Archived';
/** How a deleted model version is kept; never shown. */
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal';
/** MLflow's `ALL_STAGES`, in its order. */
export const ALL_STAGES = [STAGE_NONE, STAGE_STAGING, STAGE_PRODUCTION, STAGE_ARCHIVED] as const;
/** Stages whose versions `archive_existing_versions` may archive (MLflow's "Active" stages). */
export const ACTIVE_STAGES = [STAGE_STAGING, STAGE_PRODUCTION] as const;
export type ModelStage = (typeof ALL_STAGES)[number];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
export const MODEL_VERSION_STATUS_CODES: Record<ModelVersionStatus, number> = {
  PENDING_REGISTRATION: 1,
  FAILED_REGISTRATION: 2,
  READY: 3,
};

/** MLflow's `SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT` / `_THRESHOLD`. */
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100;
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000;
/** MLflow's store default, and the REST default and threshold, for model version search. */
export const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 10_000;
export const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000;

export interface RegistryTag {
  key: string;
  value: string;
}

export interface RegisteredModelAlias {
  alias: string;
  version: number;
}

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number | null;
  description: string | null;
  userId: string | null;
  currentStage: string;
  source: string | null;
  runId: string | null;
  runLink: string | null;
  status: ModelVersionStatus | null;
  statusMessage: string | null;
  /** By key. */
  tags: RegistryTag[];
  /**
   * Aliases pointing at this version. Filled where MLflow fills them (get, create, update,
   * transition, get by alias, get latest versions); empty in search results and in a registered
   * model's `latestVersions`, as MLflow's SQL store leaves them.
   */
  aliases: string[];
  /** The logged model (MLflow 3) the version was registered from: the id of a `models:/<model_id>` source. */
  modelId?: string;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number | null;
  lastUpdatedTimestamp: number | null;
  description: string | null;
  /** The newest non-deleted version per stage, stages in the order their oldest version appeared. */
  latestVersions: ModelVersion[];
  /** By key. */
  tags: RegistryTag[];
  /** By alias. */
  aliases: RegisteredModelAlias[];
}

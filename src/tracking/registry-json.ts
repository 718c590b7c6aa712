/**
 * Model Registry entities as MLflow's REST API writes them (`model_registry.proto` through
 * `message_to_json`): snake_case names, `version` as a string, timestamps as JSON numbers, the
 * status enum by name, unset fields left out, empty lists left out.
 *
 * @example
 * modelVersionToJson(v) // { name: 'm', version: '1', creation_timestamp: 1700000000000, current_stage: 'None', status: 'READY', ... }
 */
import type { Json } from './entities.js';
import type { ModelVersion, RegisteredModel } from './registry-entities.js';

export function modelVersionToJson(v: ModelVersion): Json {
  const out: Json = { name: v.name, version: String(v.version), creation_timestamp: v.creationTimestamp };
  if (v.lastUpdatedTimestamp !== null) out.last_updated_timestamp = v.lastUpdatedTimestamp;
  if (v.description !== null) out.description = v.description;
  if (v.userId !== null) out.user_id = v.userId;
  out.current_stage = v.currentStage;
  if (v.source !== null) out.source = v.source;
  if (v.runId !== null) out.run_id = v.runId;
  if (v.status !== null) out.status = v.status;
  // MLflow sets the status message only when it is non-empty.
  if (v.statusMessage) out.status_message = v.statusMessage;
  if (v.tags.length) out.tags = v.tags.map((t) => ({ key: t.key, value: t.value }));
  if (v.runLink !== null) out.run_link = v.runLink;
  if (v.aliases.length) out.aliases = [...v.aliases];
  if (v.modelId) out.model_id = v.modelId;
  return out;
}

export function registeredModelToJson(m: RegisteredModel): Json {
  const out: Json = { name: m.name };
  if (m.creationTimestamp !== null) out.creation_timestamp = m.creationTimestamp;
  // As MLflow's RegisteredModel.to_proto: an empty description and a zero update time are left out.
  if (m.lastUpdatedTimestamp) out.last_updated_timestamp = m.lastUpdatedTimestamp;
  if (m.description) out.description = m.description;
  if (m.latestVersions.length) out.latest_versions = m.latestVersions.map(modelVersionToJson);
  if (m.tags.length) out.tags = m.tags.map((t) => ({ key: t.key, value: t.value }));
  if (m.aliases.length) out.aliases = m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }));
  return out;
}

const num = (v: unknown): number | null => (v === undefined || v === null || v === '' ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const tagsOf = (v: unknown) => (Array.isArray(v) ? (v as Json[]).map((t) => ({ key: String(t.key), value: String(t.value ?? '') })) : []);

/** The inverse of {@link modelVersionToJson}: a REST `ModelVersion` (from MLflow or mlf) as an entity. */
export function modelVersionFromJson(j: Json): ModelVersion {
  return {
    name: String(j.name),
    version: Number(j.version),
    creationTimestamp: num(j.creation_timestamp) ?? 0,
    lastUpdatedTimestamp: num(j.last_updated_timestamp),
    description: strOrNull(j.description),
    userId: strOrNull(j.user_id),
    currentStage: String(j.current_stage ?? 'None'),
    source: strOrNull(j.source),
    runId: strOrNull(j.run_id),
    runLink: strOrNull(j.run_link),
    status: (strOrNull(j.status) as ModelVersion['status']) ?? null,
    statusMessage: strOrNull(j.status_message),
    tags: tagsOf(j.tags),
    aliases: Array.isArray(j.aliases) ? (j.aliases as unknown[]).map(String) : [],
    ...(j.model_id ? { modelId: String(j.model_id) } : {}),
  };
}

/** The inverse of {@link registeredModelToJson}. */
export function registeredModelFromJson(j: Json): RegisteredModel {
  return {
    name: String(j.name),
    creationTimestamp: num(j.creation_timestamp),
    lastUpdatedTimestamp: num(j.last_updated_timestamp),
    description: strOrNull(j.description),
    latestVersions: Array.isArray(j.latest_versions) ? (j.latest_versions as Json[]).map(modelVersionFromJson) : [],
    tags: tagsOf(j.tags),
    aliases: Array.isArray(j.aliases) ? (j.aliases as Json[]).map((a) => ({ alias: String(a.alias), version: Number(a.version) })) : [],
  };
}

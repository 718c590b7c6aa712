/**
 * Reading the registry's rows into entities: a model or version row by name (MLflow's not-found
 * errors), and the tags, aliases and latest versions that complete them, read with a handful of set
 * queries rather than SQLAlchemy's query per version.
 */
import { MlfError } from '../../../lib/errors.js';
import { loggedModelIdOfSource } from '../../../tracking/models-uri.js';
import { STAGE_DELETED_INTERNAL, STAGE_NONE, type ModelVersion, type ModelVersionStatus, type RegisteredModel, type RegistryTag } from '../../registry-store.js';
import { chunks } from '../tracking/executor.js';
import type { Exec, RegistryExecutor, Row } from './executor.js';
import { validateModelName, validateModelVersion } from './validation.js';

/** Names or (name, version) pairs per `IN`/`OR` list. */
const CHUNK = 200;

export const VERSION_COLUMNS = [
  'name',
  'version',
  'creation_time',
  'last_updated_time',
  'description',
  'user_id',
  'current_stage',
  'source',
  'run_id',
  'status',
  'status_message',
  'run_link',
  'storage_location',
] as const;

export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const byKey = (a: RegistryTag, b: RegistryTag) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const versionKey = (name: string, version: number) => `${name}\u0000${version}`;

/** Tags by key, the last one given winning (MLflow builds a dict). */
export function uniqueTags(tags: RegistryTag[] | undefined): RegistryTag[] {
  const m = new Map<string, string>();
  for (const t of tags ?? []) m.set(t.key, t.value);
  return [...m].map(([key, value]) => ({ key, value }));
}

export function versionFromRow(r: Row, tags: RegistryTag[] = [], aliases: string[] = []): ModelVersion {
  return {
    name: r.name,
    version: Number(r.version),
    creationTimestamp: num(r.creation_time) ?? 0,
    lastUpdatedTimestamp: num(r.last_updated_time),
    description: r.description ?? null,
    userId: r.user_id ?? null,
    currentStage: r.current_stage ?? STAGE_NONE,
    source: r.source ?? null,
    runId: r.run_id ?? null,
    runLink: r.run_link ?? null,
    status: (r.status ?? null) as ModelVersionStatus | null,
    statusMessage: r.status_message ?? null,
    tags,
    aliases,
    // MLflow 3 keeps no model id column: a version made from a logged model names it in its source.
    modelId: loggedModelIdOfSource(r.source),
  };
}

export async function modelRow(x: RegistryExecutor, db: Exec, name: string): Promise<Row> {
  validateModelName(name);
  const row = await db
    .selectFrom('registered_models')
    .select(['name', 'creation_time', 'last_updated_time', 'description'])
    .where(() => x.is('name', name))
    .executeTakeFirst();
  if (!row) throw new MlfError(`Registered Model with name=${name} not found`, 'RESOURCE_DOES_NOT_EXIST');
  return row;
}

/** A live (not deleted) version's row; `version` as given is what the message shows. */
export async function versionRow(x: RegistryExecutor, db: Exec, name: string, version: number | string): Promise<Row> {
  validateModelName(name);
  const v = validateModelVersion(version);
  const row = await db
    .selectFrom('model_versions')
    .select([...VERSION_COLUMNS])
    .where(() => x.is('name', name))
    .where('version', '=', v)
    .where('current_stage', '<>', STAGE_DELETED_INTERNAL)
    .executeTakeFirst();
  if (!row) throw new MlfError(`Model Version (name=${name}, version=${version}) not found`, 'RESOURCE_DOES_NOT_EXIST');
  return row;
}

/** Tags of the given versions, keyed by name + version. */
async function versionTags(db: Exec, versions: { name: string; version: number }[]): Promise<Map<string, RegistryTag[]>> {
  const out = new Map<string, RegistryTag[]>();
  for (const part of chunks(versions, CHUNK)) {
    const rows = await db
      .selectFrom('model_version_tags')
      .select(['name', 'version', 'key', 'value'])
      .where((eb) => eb.or(part.map((p) => eb.and([eb('name', '=', p.name), eb('version', '=', p.version)]))))
      .execute();
    for (const r of rows) {
      const k = versionKey(r.name, Number(r.version));
      let list = out.get(k);
      if (!list) out.set(k, (list = []));
      list.push({ key: r.key, value: r.value ?? '' });
    }
  }
  for (const list of out.values()) list.sort(byKey);
  return out;
}

export async function versionAliases(x: RegistryExecutor, db: Exec, name: string, version: number): Promise<string[]> {
  const rows = await db
    .selectFrom('registered_model_aliases')
    .select('alias')
    .where(() => x.is('name', name))
    .where('version', '=', version)
    .orderBy('alias')
    .execute();
  return rows.map((r) => r.alias as string);
}

/** A version entity with its tags and aliases. */
export async function fullVersion(x: RegistryExecutor, db: Exec, row: Row): Promise<ModelVersion> {
  const v = Number(row.version);
  const [tags, aliases] = await Promise.all([versionTags(db, [{ name: row.name, version: v }]), versionAliases(x, db, row.name, v)]);
  return versionFromRow(row, tags.get(versionKey(row.name, v)) ?? [], aliases);
}

/** Version entities with tags (no aliases, as MLflow's search and latest_versions give them). */
export async function versionsWithTags(db: Exec, rows: Row[]): Promise<ModelVersion[]> {
  if (!rows.length) return [];
  const tags = await versionTags(db, rows.map((r) => ({ name: r.name, version: Number(r.version) })));
  return rows.map((r) => versionFromRow(r, tags.get(versionKey(r.name, Number(r.version))) ?? []));
}

/** Registered model entities for rows of `registered_models`: tags, aliases, latest version per stage. */
export async function models(db: Exec, rows: Row[]): Promise<RegisteredModel[]> {
  if (!rows.length) return [];
  const names = rows.map((r) => r.name as string);
  const tags = new Map<string, RegistryTag[]>();
  const aliases = new Map<string, { alias: string; version: number }[]>();
  const latestRows: Row[] = [];
  for (const part of chunks(names, CHUNK)) {
    const [t, a, l] = await Promise.all([
      db.selectFrom('registered_model_tags').select(['name', 'key', 'value']).where('name', 'in', part).execute(),
      db.selectFrom('registered_model_aliases').select(['name', 'alias', 'version']).where('name', 'in', part).execute(),
      // The newest version per stage; stages ordered by their oldest version, which is the order
      // MLflow meets them walking a model's versions.
      db
        .selectFrom('model_versions as mv')
        .innerJoin(
          (eb) =>
            eb
              .selectFrom('model_versions')
              .select(['name', 'current_stage'])
              .select((s) => [s.fn.max('version').as('latest'), s.fn.min('version').as('first_version')])
              .where('name', 'in', part)
              .where('current_stage', '<>', STAGE_DELETED_INTERNAL)
              .groupBy(['name', 'current_stage'])
              .as('f'),
          (j) => j.onRef('f.name', '=', 'mv.name').onRef('f.current_stage', '=', 'mv.current_stage').onRef('f.latest', '=', 'mv.version'),
        )
        .select(VERSION_COLUMNS.map((c) => `mv.${c}` as const))
        .select('f.first_version')
        .orderBy('mv.name')
        .orderBy('f.first_version')
        .execute(),
    ]);
    for (const r of t) {
      let list = tags.get(r.name);
      if (!list) tags.set(r.name, (list = []));
      list.push({ key: r.key, value: r.value ?? '' });
    }
    for (const r of a) {
      let list = aliases.get(r.name);
      if (!list) aliases.set(r.name, (list = []));
      list.push({ alias: r.alias, version: Number(r.version) });
    }
    latestRows.push(...l);
  }
  const latest = new Map<string, ModelVersion[]>();
  for (const v of await versionsWithTags(db, latestRows)) {
    let list = latest.get(v.name);
    if (!list) latest.set(v.name, (list = []));
    list.push(v);
  }
  return rows.map((r) => ({
    name: r.name,
    creationTimestamp: num(r.creation_time),
    lastUpdatedTimestamp: num(r.last_updated_time),
    description: r.description ?? null,
    latestVersions: latest.get(r.name) ?? [],
    tags: (tags.get(r.name) ?? []).sort(byKey),
    aliases: (aliases.get(r.name) ?? []).sort((x, y) => (x.alias < y.alias ? -1 : x.alias > y.alias ? 1 : 0)),
  }));
}

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
 */
import { sql, type RawBuilder } from 'kysely';
import { MlfError, isMlfError } from '../../../lib/errors.js';
import { maskUri } from '../../../tracking/uri.js';
import { loggedModelIdOfSource, parseModelsUri } from '../../../tracking/models-uri.js';
import type { PagedList } from '../../../tracking/entities.js';
import { decodePageToken, encodePageToken } from '../../../tracking/search/index.js';
import {
  ALL_STAGES,
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  STAGE_ARCHIVED,
  STAGE_DELETED_INTERNAL,
  STAGE_NONE,
  type CreateModelVersionOptions,
  type CreateRegisteredModelOptions,
  type ModelVersion,
  type ModelVersionStatus,
  type RegisteredModel,
  type RegistryStore,
  type RegistryTag,
  type SearchRegistryOptions,
} from '../../registry-store.js';
import type { SqlConnection } from '../connect.js';
import type { Db, SqlDialect, Tx } from '../dialects/dialect.js';
import { pagingClause } from '../search-sql.js';
import { inWorkspace, registryKeyedByWorkspace } from './workspace.js';
import {
  modelVersionConditions,
  orderByTerms,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  registeredModelConditions,
} from './search.js';
import {
  canonicalStage,
  checkArchivable,
  validateAliasName,
  validateModelName,
  validateModelVersion,
  validateNewModelName,
  validateRegistryTag,
  validateTagKey,
} from './validation.js';

type Exec = Db | Tx;
type Row = Record<string, any>;

/** `CREATE_MODEL_VERSION_RETRIES`: two writers racing for the next version number. */
const CREATE_MODEL_VERSION_RETRIES = 3;
/** Names or (name, version) pairs per `IN`/`OR` list. */
const CHUNK = 200;

const VERSION_COLUMNS = [
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

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const byKey = (a: RegistryTag, b: RegistryTag) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const versionKey = (name: string, version: number) => `${name}\u0000${version}`;

function chunks<T>(items: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/** Tags by key, the last one given winning (MLflow builds a dict). */
function uniqueTags(tags: RegistryTag[] | undefined): RegistryTag[] {
  const m = new Map<string, string>();
  for (const t of tags ?? []) m.set(t.key, t.value);
  return [...m].map(([key, value]) => ({ key, value }));
}

function versionFromRow(r: Row, tags: RegistryTag[] = [], aliases: string[] = []): ModelVersion {
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

export class SqlRegistryStore implements RegistryStore {
  readonly displayUri: string;
  private readonly d: SqlDialect;
  private readonly db: Db;

  /** `owns`: close the connection on `close()` (false when it is a tracking store's). */
  constructor(
    private readonly conn: SqlConnection,
    private readonly owns: boolean,
  ) {
    this.d = conn.dialect;
    this.db = conn.db;
    this.displayUri = maskUri(conn.uri.uri);
  }

  async close(): Promise<void> {
    if (this.owns) await this.conn.close();
  }

  // ---------------------------------------------------------------- plumbing

  /** MLflow's session wrapper: a lost connection is TEMPORARILY_UNAVAILABLE, any other database error BAD_REQUEST. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.mapError(e);
    }
  }

  private mapError(e: unknown): unknown {
    if (isMlfError(e)) return e;
    if (this.d.isConnectionError(e)) {
      return new MlfError(`Database unavailable: ${maskUri(String((e as Error)?.message ?? e))}`, 'TEMPORARILY_UNAVAILABLE');
    }
    return new MlfError(maskUri(String((e as Error)?.message ?? e)).split('\n')[0]!, 'BAD_REQUEST');
  }

  private write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.guard(() => this.d.writeTransaction(this.db, fn));
  }

  /** `column = value`, case-sensitive, written so an index on the column can still be used. */
  private is(column: string, value: string): RawBuilder<boolean> {
    const ref = sql.ref(column);
    return sql<boolean>`${ref} = ${value} and ${this.d.eqCaseSensitive(ref, value)}`;
  }

  private async modelRow(db: Exec, name: string): Promise<Row> {
    validateModelName(name);
    const row = await db
      .selectFrom('registered_models')
      .select(['name', 'creation_time', 'last_updated_time', 'description'])
      .where(() => this.is('name', name))
      .executeTakeFirst();
    if (!row) throw new MlfError(`Registered Model with name=${name} not found`, 'RESOURCE_DOES_NOT_EXIST');
    return row;
  }

  /** A live (not deleted) version's row; `version` as given is what the message shows. */
  private async versionRow(db: Exec, name: string, version: number | string): Promise<Row> {
    validateModelName(name);
    const v = validateModelVersion(version);
    const row = await db
      .selectFrom('model_versions')
      .select([...VERSION_COLUMNS])
      .where(() => this.is('name', name))
      .where('version', '=', v)
      .where('current_stage', '<>', STAGE_DELETED_INTERNAL)
      .executeTakeFirst();
    if (!row) throw new MlfError(`Model Version (name=${name}, version=${version}) not found`, 'RESOURCE_DOES_NOT_EXIST');
    return row;
  }

  /** Tags of the given versions, keyed by name + version. */
  private async versionTags(db: Exec, versions: { name: string; version: number }[]): Promise<Map<string, RegistryTag[]>> {
    const out = new Map<string, RegistryTag[]>();
    for (const part of chunks(versions)) {
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

  private async versionAliases(db: Exec, name: string, version: number): Promise<string[]> {
    const rows = await db
      .selectFrom('registered_model_aliases')
      .select('alias')
      .where(() => this.is('name', name))
      .where('version', '=', version)
      .orderBy('alias')
      .execute();
    return rows.map((r) => r.alias as string);
  }

  /** A version entity with its tags and aliases. */
  private async fullVersion(db: Exec, row: Row): Promise<ModelVersion> {
    const v = Number(row.version);
    const [tags, aliases] = await Promise.all([this.versionTags(db, [{ name: row.name, version: v }]), this.versionAliases(db, row.name, v)]);
    return versionFromRow(row, tags.get(versionKey(row.name, v)) ?? [], aliases);
  }

  /** Version entities with tags (no aliases, as MLflow's search and latest_versions give them). */
  private async versionsWithTags(db: Exec, rows: Row[]): Promise<ModelVersion[]> {
    if (!rows.length) return [];
    const tags = await this.versionTags(db, rows.map((r) => ({ name: r.name, version: Number(r.version) })));
    return rows.map((r) => versionFromRow(r, tags.get(versionKey(r.name, Number(r.version))) ?? []));
  }

  /** Registered model entities for rows of `registered_models`: tags, aliases, latest version per stage. */
  private async models(db: Exec, rows: Row[]): Promise<RegisteredModel[]> {
    if (!rows.length) return [];
    const names = rows.map((r) => r.name as string);
    const tags = new Map<string, RegistryTag[]>();
    const aliases = new Map<string, { alias: string; version: number }[]>();
    const latestRows: Row[] = [];
    for (const part of chunks(names)) {
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
    for (const v of await this.versionsWithTags(db, latestRows)) {
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

  private uniqueViolation(e: unknown): boolean {
    return !isMlfError(e) && this.d.isUniqueViolation(e);
  }

  private alreadyExists(name: string, e: unknown): MlfError {
    const detail = maskUri(String((e as Error)?.message ?? e)).split('\n')[0];
    return new MlfError(`Registered Model (name=${name}) already exists. Error: ${detail}`, 'RESOURCE_ALREADY_EXISTS');
  }

  // ---------------------------------------------------------------- registered models

  async createRegisteredModel(opts: CreateRegisteredModelOptions): Promise<RegisteredModel> {
    const name = validateModelName(opts.name);
    const tags = uniqueTags((opts.tags ?? []).map(validateRegistryTag));
    const description = opts.description ?? null;
    const now = Date.now();
    try {
      await this.d.writeTransaction(this.db, async (tx) => {
        await tx.insertInto('registered_models').values({ name, creation_time: now, last_updated_time: now, description }).execute();
        if (tags.length) await tx.insertInto('registered_model_tags').values(tags.map((t) => ({ name, key: t.key, value: t.value }))).execute();
      });
    } catch (e) {
      if (this.uniqueViolation(e)) throw this.alreadyExists(name, e);
      throw this.mapError(e);
    }
    return { name, creationTimestamp: now, lastUpdatedTimestamp: now, description, latestVersions: [], tags: tags.sort(byKey), aliases: [] };
  }

  async updateRegisteredModel(name: string, description: string | null): Promise<RegisteredModel> {
    return this.write(async (tx) => {
      const row = await this.modelRow(tx, name);
      const now = Date.now();
      await tx.updateTable('registered_models').set({ description, last_updated_time: now }).where(() => this.is('name', row.name)).execute();
      return (await this.models(tx, [{ ...row, description, last_updated_time: now }]))[0]!;
    });
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateNewModelName(newName);
    try {
      return await this.d.writeTransaction(this.db, async (tx) => {
        const row = await this.modelRow(tx, name);
        // Checked first: with cascading keys some databases (MySQL) report a taken name as a
        // foreign-key error rather than a duplicate key. Plain `=` also finds a name that differs
        // only in case where the database's unique key would (MySQL's collation).
        const clash = await tx.selectFrom('registered_models').select('name').where('name', '=', newName).execute();
        if (clash.some((c) => c.name !== row.name)) {
          throw this.alreadyExists(newName, 'UNIQUE constraint failed: registered_models.name');
        }
        const now = Date.now();
        await tx.updateTable('registered_models').set({ name: newName, last_updated_time: now }).where(() => this.is('name', row.name)).execute();
        // The foreign keys cascade the new name (ON UPDATE CASCADE); these catch a database whose
        // keys are not enforced, and match nothing otherwise. Deepest first, so nothing dangles.
        for (const table of ['model_version_tags', 'model_versions', 'registered_model_tags', 'registered_model_aliases']) {
          await tx.updateTable(table).set({ name: newName }).where(() => this.is('name', row.name)).execute();
        }
        await tx.updateTable('model_versions').set({ last_updated_time: now }).where(() => this.is('name', newName)).execute();
        return (await this.models(tx, [{ ...row, name: newName, last_updated_time: now }]))[0]!;
      });
    } catch (e) {
      if (this.uniqueViolation(e)) throw this.alreadyExists(newName, e);
      throw this.mapError(e);
    }
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.write(async (tx) => {
      const row = await this.modelRow(tx, name);
      // MLflow's ORM cascade: version tags, versions (deleted ones too), model tags, aliases.
      for (const table of ['model_version_tags', 'registered_model_aliases', 'registered_model_tags', 'model_versions', 'registered_models']) {
        await tx.deleteFrom(table).where(() => this.is('name', row.name)).execute();
      }
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.guard(async () => (await this.models(this.db, [await this.modelRow(this.db, name)]))[0]!);
  }

  async searchRegisteredModels(opts: SearchRegistryOptions = {}): Promise<PagedList<RegisteredModel>> {
    const maxResults = opts.maxResults ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT;
    if (maxResults > SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD) {
      throw new MlfError(
        `Invalid value for request parameter max_results. It must be at most ${SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`,
        'INVALID_PARAMETER_VALUE',
      );
    }
    const conds = registeredModelConditions(this.d, parseRegisteredModelFilter(opts.filter));
    const order = orderByTerms('registered_models', parseRegisteredModelOrderBy(opts.orderBy));
    const offset = decodePageToken(opts.pageToken);
    // One row more than asked tells whether there is a next page (MLflow's way, and its token).
    const limit = Math.max(0, maxResults + 1);
    return this.guard(async () => {
      let q = this.db.selectFrom('registered_models').select(['name', 'creation_time', 'last_updated_time', 'description']);
      for (const c of conds) q = q.where(() => c as RawBuilder<boolean>);
      const rows = await q.orderBy(sql.join(order)).modifyEnd(pagingClause(this.d, limit, offset)).execute();
      const page = rows.slice(0, Math.max(0, maxResults));
      return { items: await this.models(this.db, page), nextPageToken: rows.length === limit ? encodePageToken(offset + maxResults) : undefined };
    });
  }

  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    const wanted = new Set((stages && stages.length ? stages : ALL_STAGES).map(canonicalStage));
    return this.guard(async () => {
      const model = (await this.models(this.db, [await this.modelRow(this.db, name)]))[0]!;
      const versions = model.latestVersions.filter((v) => wanted.has(v.currentStage));
      for (const v of versions) v.aliases = model.aliases.filter((a) => a.version === v.version).map((a) => a.alias);
      return versions;
    });
  }

  async setRegisteredModelTag(name: string, tag: RegistryTag): Promise<void> {
    validateModelName(name);
    const t = validateRegistryTag(tag);
    const keyed = await this.guard(() => registryKeyedByWorkspace(this.db));
    await this.write(async (tx) => {
      const row = await this.modelRow(tx, name);
      const u = inWorkspace(keyed, [{ key: t.key, name: row.name, value: t.value }], ['key', 'name']);
      await this.d.upsert(tx, 'registered_model_tags', u.rows, u.keys, ['value']);
    });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    const k = validateTagKey(key);
    await this.write(async (tx) => {
      const row = await this.modelRow(tx, name);
      await tx
        .deleteFrom('registered_model_tags')
        .where(() => this.is('name', row.name))
        .where(() => this.is('key', k))
        .execute();
    });
  }

  // ---------------------------------------------------------------- model versions

  /**
   * What a `models:/` source points at (MLflow resolves it before it writes): a registered version's
   * download location, or a logged model's artifact location and source run (MLflow 3's
   * `models:/<model_id>`, read from this database's `logged_models`).
   */
  private async resolveModelsSource(source: string): Promise<{ storageLocation: string; sourceRunId?: string }> {
    try {
      const parsed = parseModelsUri(source);
      if (!parsed) {
        throw new MlfError(
          `Not a proper models:/ URI: ${source}. Models URIs must be of the form 'models:/model_name/suffix' or 'models:/model_name@alias' where suffix is a model version, stage, or the string 'latest' and where alias is a registered model alias. Only letters, numbers, underscores, and dashes are allowed in the alias.`,
          'INVALID_PARAMETER_VALUE',
        );
      }
      if (parsed.modelId !== undefined) {
        const { SqlLoggedModels } = await import('../logged-models/index.js');
        const model = await new SqlLoggedModels(this.db, this.d).get(parsed.modelId);
        return { storageLocation: model.info.artifactUri, sourceRunId: model.info.sourceRunId };
      }
      let version: number | string | undefined = parsed.version;
      if (parsed.alias !== undefined) version = (await this.getModelVersionByAlias(parsed.name, parsed.alias)).version;
      else if (parsed.stage !== undefined) {
        const latest = await this.getLatestVersions(parsed.name, parsed.stage.toLowerCase() === 'latest' ? [] : [parsed.stage]);
        if (!latest.length) throw new MlfError(`No versions of model with name '${parsed.name}' and stage '${parsed.stage}' found`, 'RESOURCE_DOES_NOT_EXIST');
        version = Math.max(...latest.map((v) => v.version));
      }
      return { storageLocation: await this.getModelVersionDownloadUri(parsed.name, version!) };
    } catch (e) {
      const why = isMlfError(e) ? e.message : String((e as Error)?.message ?? e);
      throw new MlfError(`Unable to fetch model from model URI source artifact location '${source}'.Error: ${why}`, 'INTERNAL_ERROR');
    }
  }

  async createModelVersion(opts: CreateModelVersionOptions): Promise<ModelVersion> {
    const name = validateModelName(opts.name);
    const tags = uniqueTags((opts.tags ?? []).map(validateRegistryTag));
    const source = opts.source;
    const resolved = /^models:/i.test(source) ? await this.resolveModelsSource(source) : { storageLocation: source };
    const storageLocation = resolved.storageLocation;
    // As MLflow: a version registered from a logged model takes its source run unless one is given.
    const runId = opts.runId || resolved.sourceRunId || opts.runId;
    for (let attempt = 0; attempt < CREATE_MODEL_VERSION_RETRIES; attempt++) {
      const now = Date.now();
      try {
        return await this.d.writeTransaction(this.db, async (tx) => {
          const model = await this.modelRow(tx, name);
          const max = await tx
            .selectFrom('model_versions')
            .select((s) => s.fn.max('version').as('v'))
            .where(() => this.is('name', model.name))
            .executeTakeFirst();
          const version = (num(max?.v) ?? 0) + 1;
          await tx.updateTable('registered_models').set({ last_updated_time: now }).where(() => this.is('name', model.name)).execute();
          const row = {
            name: model.name,
            version,
            creation_time: now,
            last_updated_time: now,
            description: opts.description ?? null,
            user_id: null,
            current_stage: STAGE_NONE,
            source,
            run_id: runId ?? null,
            status: 'READY',
            status_message: null,
            run_link: opts.runLink ?? null,
            storage_location: storageLocation,
          };
          await tx.insertInto('model_versions').values(row).execute();
          if (tags.length) {
            await tx
              .insertInto('model_version_tags')
              .values(tags.map((t) => ({ key: t.key, value: t.value, name: model.name, version })))
              .execute();
          }
          return versionFromRow(row, tags.sort(byKey), await this.versionAliases(tx, model.name, version));
        });
      } catch (e) {
        // Another writer took this number first: try the next one, as MLflow does.
        if (this.uniqueViolation(e)) continue;
        throw this.mapError(e);
      }
    }
    throw new MlfError(`Model Version creation error (name=${name}). Giving up after ${CREATE_MODEL_VERSION_RETRIES} attempts.`, 'INTERNAL_ERROR');
  }

  async updateModelVersion(name: string, version: number | string, description: string | null): Promise<ModelVersion> {
    return this.write(async (tx) => {
      const row = await this.versionRow(tx, name, version);
      const now = Date.now();
      await tx
        .updateTable('model_versions')
        .set({ description, last_updated_time: now })
        .where(() => this.is('name', row.name))
        .where('version', '=', Number(row.version))
        .execute();
      return this.fullVersion(tx, { ...row, description, last_updated_time: now });
    });
  }

  async transitionModelVersionStage(
    name: string,
    version: number | string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    const target = checkArchivable(stage, archiveExistingVersions);
    validateModelName(name);
    const v = validateModelVersion(version);
    return this.write(async (tx) => {
      const now = Date.now();
      if (archiveExistingVersions) {
        await tx
          .updateTable('model_versions')
          .set({ current_stage: STAGE_ARCHIVED, last_updated_time: now })
          .where(() => this.is('name', name))
          .where('version', '<>', v)
          .where('current_stage', '=', target)
          .execute();
      }
      const row = await this.versionRow(tx, name, version);
      await tx
        .updateTable('model_versions')
        .set({ current_stage: target, last_updated_time: now })
        .where(() => this.is('name', row.name))
        .where('version', '=', v)
        .execute();
      await tx.updateTable('registered_models').set({ last_updated_time: now }).where(() => this.is('name', row.name)).execute();
      return this.fullVersion(tx, { ...row, current_stage: target, last_updated_time: now });
    });
  }

  async deleteModelVersion(name: string, version: number | string): Promise<void> {
    await this.write(async (tx) => {
      const row = await this.versionRow(tx, name, version);
      const v = Number(row.version);
      const now = Date.now();
      await tx.updateTable('registered_models').set({ last_updated_time: now }).where(() => this.is('name', row.name)).execute();
      await tx
        .deleteFrom('registered_model_aliases')
        .where(() => this.is('name', row.name))
        .where('version', '=', v)
        .execute();
      // Soft delete, redacted as MLflow does; the version's tags stay, as in MLflow.
      await tx
        .updateTable('model_versions')
        .set({
          current_stage: STAGE_DELETED_INTERNAL,
          last_updated_time: now,
          description: null,
          user_id: null,
          source: 'REDACTED-SOURCE-PATH',
          run_id: 'REDACTED-RUN-ID',
          run_link: 'REDACTED-RUN-LINK',
          status_message: null,
        })
        .where(() => this.is('name', row.name))
        .where('version', '=', v)
        .execute();
    });
  }

  async getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    return this.guard(async () => this.fullVersion(this.db, await this.versionRow(this.db, name, version)));
  }

  async getModelVersionDownloadUri(name: string, version: number | string): Promise<string> {
    return this.guard(async () => {
      const row = await this.versionRow(this.db, name, version);
      return (row.storage_location || row.source) ?? '';
    });
  }

  async searchModelVersions(opts: SearchRegistryOptions = {}): Promise<PagedList<ModelVersion>> {
    const maxResults = opts.maxResults ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT;
    if (!Number.isInteger(maxResults) || maxResults < 1) {
      throw new MlfError(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`, 'INVALID_PARAMETER_VALUE');
    }
    if (maxResults > SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD) {
      throw new MlfError(
        `Invalid value for request parameter max_results. It must be at most ${SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`,
        'INVALID_PARAMETER_VALUE',
      );
    }
    const conds = modelVersionConditions(this.d, parseModelVersionFilter(opts.filter));
    const order = orderByTerms('model_versions', parseModelVersionOrderBy(opts.orderBy));
    const offset = decodePageToken(opts.pageToken);
    const limit = maxResults + 1;
    return this.guard(async () => {
      let q = this.db
        .selectFrom('model_versions')
        .select(VERSION_COLUMNS.map((c) => `model_versions.${c}` as const))
        .where('model_versions.current_stage', '<>', STAGE_DELETED_INTERNAL);
      for (const c of conds) q = q.where(() => c as RawBuilder<boolean>);
      const rows = await q.orderBy(sql.join(order)).modifyEnd(pagingClause(this.d, limit, offset)).execute();
      return {
        items: await this.versionsWithTags(this.db, rows.slice(0, maxResults)),
        nextPageToken: rows.length === limit ? encodePageToken(offset + maxResults) : undefined,
      };
    });
  }

  async setModelVersionTag(name: string, version: number | string, tag: RegistryTag): Promise<void> {
    validateModelName(name);
    validateModelVersion(version);
    const t = validateRegistryTag(tag);
    const keyed = await this.guard(() => registryKeyedByWorkspace(this.db));
    await this.write(async (tx) => {
      const row = await this.versionRow(tx, name, version);
      const u = inWorkspace(keyed, [{ key: t.key, value: t.value, name: row.name, version: Number(row.version) }], ['key', 'name', 'version']);
      await this.d.upsert(tx, 'model_version_tags', u.rows, u.keys, ['value']);
    });
  }

  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    validateModelName(name);
    validateModelVersion(version);
    const k = validateTagKey(key);
    await this.write(async (tx) => {
      const row = await this.versionRow(tx, name, version);
      await tx
        .deleteFrom('model_version_tags')
        .where(() => this.is('name', row.name))
        .where('version', '=', Number(row.version))
        .where(() => this.is('key', k))
        .execute();
    });
  }

  // ---------------------------------------------------------------- aliases

  async setRegisteredModelAlias(name: string, alias: string, version: number | string): Promise<void> {
    validateModelName(name);
    const a = validateAliasName(alias);
    validateModelVersion(version);
    const keyed = await this.guard(() => registryKeyedByWorkspace(this.db));
    await this.write(async (tx) => {
      const row = await this.versionRow(tx, name, version);
      const u = inWorkspace(keyed, [{ name: row.name, alias: a, version: Number(row.version) }], ['name', 'alias']);
      await this.d.upsert(tx, 'registered_model_aliases', u.rows, u.keys, ['version']);
    });
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateModelName(name);
    const a = validateAliasName(alias);
    await this.write(async (tx) => {
      const row = await this.modelRow(tx, name);
      await tx
        .deleteFrom('registered_model_aliases')
        .where(() => this.is('name', row.name))
        .where(() => this.is('alias', a))
        .execute();
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    const a = validateAliasName(alias);
    return this.guard(async () => {
      const hit = await this.db
        .selectFrom('registered_model_aliases')
        .select(['name', 'version'])
        .where(() => this.is('name', name))
        .where(() => this.is('alias', a))
        .executeTakeFirst();
      if (!hit) throw new MlfError(`Registered model alias ${a} not found.`, 'INVALID_PARAMETER_VALUE');
      return this.fullVersion(this.db, await this.versionRow(this.db, hit.name, Number(hit.version)));
    });
  }
}

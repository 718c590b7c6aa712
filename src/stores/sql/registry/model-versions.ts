/** Model versions in the SQL registry: creation (with `models:/` sources), stages, soft deletion, lookups and tags. */
import { MlfError, isMlfError } from '../../../lib/errors.js';
import { parseModelsUri } from '../../../tracking/models-uri.js';
import {
  STAGE_ARCHIVED,
  STAGE_DELETED_INTERNAL,
  STAGE_NONE,
  type CreateModelVersionOptions,
  type ModelVersion,
  type RegistryTag,
} from '../../registry-store.js';
import { getModelVersionByAlias } from './aliases.js';
import type { RegistryExecutor } from './executor.js';
import { byKey, fullVersion, modelRow, num, uniqueTags, versionAliases, versionFromRow, versionRow } from './hydrate.js';
import { getLatestVersions } from './registered-models.js';
import { checkArchivable, validateModelName, validateModelVersion, validateRegistryTag, validateTagKey } from './validation.js';

/** `CREATE_MODEL_VERSION_RETRIES`: two writers racing for the next version number. */
const CREATE_MODEL_VERSION_RETRIES = 3;

/**
 * What a `models:/` source points at (MLflow resolves it before it writes): a registered version's
 * download location, or a logged model's artifact location and source run (MLflow 3's
 * `models:/<model_id>`, read from this database's `logged_models`).
 */
export async function resolveModelsSource(x: RegistryExecutor, source: string): Promise<{ storageLocation: string; sourceRunId?: string }> {
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
      const model = await new SqlLoggedModels(x.db, x.d).get(parsed.modelId);
      return { storageLocation: model.info.artifactUri, sourceRunId: model.info.sourceRunId };
    }
    let version: number | string | undefined = parsed.version;
    if (parsed.alias !== undefined) version = (await getModelVersionByAlias(x, parsed.name, parsed.alias)).version;
    else if (parsed.stage !== undefined) {
      const latest = await getLatestVersions(x, parsed.name, parsed.stage.toLowerCase() === 'latest' ? [] : [parsed.stage]);
      if (!latest.length) throw new MlfError(`No versions of model with name '${parsed.name}' and stage '${parsed.stage}' found`, 'RESOURCE_DOES_NOT_EXIST');
      version = Math.max(...latest.map((v) => v.version));
    }
    return { storageLocation: await getModelVersionDownloadUri(x, parsed.name, version!) };
  } catch (e) {
    const why = isMlfError(e) ? e.message : String((e as Error)?.message ?? e);
    throw new MlfError(`Unable to fetch model from model URI source artifact location '${source}'.Error: ${why}`, 'INTERNAL_ERROR');
  }
}

export async function createModelVersion(x: RegistryExecutor, opts: CreateModelVersionOptions): Promise<ModelVersion> {
  const name = validateModelName(opts.name);
  const tags = uniqueTags((opts.tags ?? []).map(validateRegistryTag));
  const source = opts.source;
  const resolved = /^models:/i.test(source) ? await resolveModelsSource(x, source) : { storageLocation: source };
  const storageLocation = resolved.storageLocation;
  // As MLflow: a version registered from a logged model takes its source run unless one is given.
  const runId = opts.runId || resolved.sourceRunId || opts.runId;
  for (let attempt = 0; attempt < CREATE_MODEL_VERSION_RETRIES; attempt++) {
    const now = Date.now();
    try {
      return await x.d.writeTransaction(x.db, async (tx) => {
        const model = await modelRow(x, tx, name);
        const max = await tx
          .selectFrom('model_versions')
          .select((s) => s.fn.max('version').as('v'))
          .where(() => x.is('name', model.name))
          .executeTakeFirst();
        const version = (num(max?.v) ?? 0) + 1;
        await tx.updateTable('registered_models').set({ last_updated_time: now }).where(() => x.is('name', model.name)).execute();
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
        return versionFromRow(row, tags.sort(byKey), await versionAliases(x, tx, model.name, version));
      });
    } catch (e) {
      // Another writer took this number first: try the next one, as MLflow does.
      if (x.uniqueViolation(e)) continue;
      throw x.mapError(e);
    }
  }
  throw new MlfError(`Model Version creation error (name=${name}). Giving up after ${CREATE_MODEL_VERSION_RETRIES} attempts.`, 'INTERNAL_ERROR');
}

export async function updateModelVersion(x: RegistryExecutor, name: string, version: number | string, description: string | null): Promise<ModelVersion> {
  return x.write(async (tx) => {
    const row = await versionRow(x, tx, name, version);
    const now = Date.now();
    await tx
      .updateTable('model_versions')
      .set({ description, last_updated_time: now })
      .where(() => x.is('name', row.name))
      .where('version', '=', Number(row.version))
      .execute();
    return fullVersion(x, tx, { ...row, description, last_updated_time: now });
  });
}

export async function transitionModelVersionStage(
  x: RegistryExecutor,
  name: string,
  version: number | string,
  stage: string,
  archiveExistingVersions: boolean,
): Promise<ModelVersion> {
  const target = checkArchivable(stage, archiveExistingVersions);
  validateModelName(name);
  const v = validateModelVersion(version);
  return x.write(async (tx) => {
    const now = Date.now();
    if (archiveExistingVersions) {
      await tx
        .updateTable('model_versions')
        .set({ current_stage: STAGE_ARCHIVED, last_updated_time: now })
        .where(() => x.is('name', name))
        .where('version', '<>', v)
        .where('current_stage', '=', target)
        .execute();
    }
    const row = await versionRow(x, tx, name, version);
    await tx
      .updateTable('model_versions')
      .set({ current_stage: target, last_updated_time: now })
      .where(() => x.is('name', row.name))
      .where('version', '=', v)
      .execute();
    await tx.updateTable('registered_models').set({ last_updated_time: now }).where(() => x.is('name', row.name)).execute();
    return fullVersion(x, tx, { ...row, current_stage: target, last_updated_time: now });
  });
}

export async function deleteModelVersion(x: RegistryExecutor, name: string, version: number | string): Promise<void> {
  await x.write(async (tx) => {
    const row = await versionRow(x, tx, name, version);
    const v = Number(row.version);
    const now = Date.now();
    await tx.updateTable('registered_models').set({ last_updated_time: now }).where(() => x.is('name', row.name)).execute();
    await tx
      .deleteFrom('registered_model_aliases')
      .where(() => x.is('name', row.name))
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
      .where(() => x.is('name', row.name))
      .where('version', '=', v)
      .execute();
  });
}

export async function getModelVersion(x: RegistryExecutor, name: string, version: number | string): Promise<ModelVersion> {
  return x.guard(async () => fullVersion(x, x.db, await versionRow(x, x.db, name, version)));
}

export async function getModelVersionDownloadUri(x: RegistryExecutor, name: string, version: number | string): Promise<string> {
  return x.guard(async () => {
    const row = await versionRow(x, x.db, name, version);
    return (row.storage_location || row.source) ?? '';
  });
}

export async function setModelVersionTag(x: RegistryExecutor, name: string, version: number | string, tag: RegistryTag): Promise<void> {
  validateModelName(name);
  validateModelVersion(version);
  const t = validateRegistryTag(tag);
  await x.upsertUnder(
    (tx) => versionRow(x, tx, name, version),
    'model_version_tags',
    (row) => ({ key: t.key, value: t.value, name: row.name, version: Number(row.version) }),
    ['key', 'name', 'version'],
    ['value'],
  );
}

export async function deleteModelVersionTag(x: RegistryExecutor, name: string, version: number | string, key: string): Promise<void> {
  validateModelName(name);
  validateModelVersion(version);
  const k = validateTagKey(key);
  await x.write(async (tx) => {
    const row = await versionRow(x, tx, name, version);
    await tx
      .deleteFrom('model_version_tags')
      .where(() => x.is('name', row.name))
      .where('version', '=', Number(row.version))
      .where(() => x.is('key', k))
      .execute();
  });
}

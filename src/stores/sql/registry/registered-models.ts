/** Registered models in the SQL registry: creation, renaming, deletion, lookups, latest versions and tags. */
import { ALL_STAGES, type CreateRegisteredModelOptions, type ModelVersion, type RegisteredModel, type RegistryTag } from '../../registry-store.js';
import { modelAlreadyExists, type RegistryExecutor } from './executor.js';
import { byKey, modelRow, models, uniqueTags } from './hydrate.js';
import { canonicalStage, validateModelName, validateNewModelName, validateRegistryTag, validateTagKey } from './validation.js';

export async function createRegisteredModel(x: RegistryExecutor, opts: CreateRegisteredModelOptions): Promise<RegisteredModel> {
  const name = validateModelName(opts.name);
  const tags = uniqueTags((opts.tags ?? []).map(validateRegistryTag));
  const description = opts.description ?? null;
  const now = Date.now();
  try {
    await x.d.writeTransaction(x.db, async (tx) => {
      await tx.insertInto('registered_models').values({ name, creation_time: now, last_updated_time: now, description }).execute();
      if (tags.length) await tx.insertInto('registered_model_tags').values(tags.map((t) => ({ name, key: t.key, value: t.value }))).execute();
    });
  } catch (e) {
    if (x.uniqueViolation(e)) throw modelAlreadyExists(name, e);
    throw x.mapError(e);
  }
  return { name, creationTimestamp: now, lastUpdatedTimestamp: now, description, latestVersions: [], tags: tags.sort(byKey), aliases: [] };
}

export async function updateRegisteredModel(x: RegistryExecutor, name: string, description: string | null): Promise<RegisteredModel> {
  return x.write(async (tx) => {
    const row = await modelRow(x, tx, name);
    const now = Date.now();
    await tx.updateTable('registered_models').set({ description, last_updated_time: now }).where(() => x.is('name', row.name)).execute();
    return (await models(tx, [{ ...row, description, last_updated_time: now }]))[0]!;
  });
}

export async function renameRegisteredModel(x: RegistryExecutor, name: string, newName: string): Promise<RegisteredModel> {
  validateNewModelName(newName);
  try {
    return await x.d.writeTransaction(x.db, async (tx) => {
      const row = await modelRow(x, tx, name);
      // Checked first: with cascading keys some databases (MySQL) report a taken name as a
      // foreign-key error rather than a duplicate key. Plain `=` also finds a name that differs
      // only in case where the database's unique key would (MySQL's collation).
      const clash = await tx.selectFrom('registered_models').select('name').where('name', '=', newName).execute();
      if (clash.some((c) => c.name !== row.name)) {
        throw modelAlreadyExists(newName, 'UNIQUE constraint failed: registered_models.name');
      }
      const now = Date.now();
      await tx.updateTable('registered_models').set({ name: newName, last_updated_time: now }).where(() => x.is('name', row.name)).execute();
      // The foreign keys cascade the new name (ON UPDATE CASCADE); these catch a database whose
      // keys are not enforced, and match nothing otherwise. Deepest first, so nothing dangles.
      for (const table of ['model_version_tags', 'model_versions', 'registered_model_tags', 'registered_model_aliases']) {
        await tx.updateTable(table).set({ name: newName }).where(() => x.is('name', row.name)).execute();
      }
      await tx.updateTable('model_versions').set({ last_updated_time: now }).where(() => x.is('name', newName)).execute();
      return (await models(tx, [{ ...row, name: newName, last_updated_time: now }]))[0]!;
    });
  } catch (e) {
    if (x.uniqueViolation(e)) throw modelAlreadyExists(newName, e);
    throw x.mapError(e);
  }
}

export async function deleteRegisteredModel(x: RegistryExecutor, name: string): Promise<void> {
  await x.write(async (tx) => {
    const row = await modelRow(x, tx, name);
    // MLflow's ORM cascade: version tags, versions (deleted ones too), model tags, aliases.
    for (const table of ['model_version_tags', 'registered_model_aliases', 'registered_model_tags', 'model_versions', 'registered_models']) {
      await tx.deleteFrom(table).where(() => x.is('name', row.name)).execute();
    }
  });
}

export async function getRegisteredModel(x: RegistryExecutor, name: string): Promise<RegisteredModel> {
  return x.guard(async () => (await models(x.db, [await modelRow(x, x.db, name)]))[0]!);
}

export async function getLatestVersions(x: RegistryExecutor, name: string, stages?: string[]): Promise<ModelVersion[]> {
  const wanted = new Set((stages && stages.length ? stages : ALL_STAGES).map(canonicalStage));
  return x.guard(async () => {
    const model = (await models(x.db, [await modelRow(x, x.db, name)]))[0]!;
    const versions = model.latestVersions.filter((v) => wanted.has(v.currentStage));
    for (const v of versions) v.aliases = model.aliases.filter((a) => a.version === v.version).map((a) => a.alias);
    return versions;
  });
}

export async function setRegisteredModelTag(x: RegistryExecutor, name: string, tag: RegistryTag): Promise<void> {
  validateModelName(name);
  const t = validateRegistryTag(tag);
  await x.upsertUnder((tx) => modelRow(x, tx, name), 'registered_model_tags', (row) => ({ key: t.key, name: row.name, value: t.value }), ['key', 'name'], ['value']);
}

export async function deleteRegisteredModelTag(x: RegistryExecutor, name: string, key: string): Promise<void> {
  validateModelName(name);
  const k = validateTagKey(key);
  await x.write(async (tx) => {
    const row = await modelRow(x, tx, name);
    await tx
      .deleteFrom('registered_model_tags')
      .where(() => x.is('name', row.name))
      .where(() => x.is('key', k))
      .execute();
  });
}

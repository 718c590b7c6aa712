/** Registered model aliases in the SQL registry: set, delete, and the version an alias names. */
import { MlfError } from '../../../lib/errors.js';
import type { ModelVersion } from '../../registry-store.js';
import type { RegistryExecutor } from './executor.js';
import { fullVersion, modelRow, versionRow } from './hydrate.js';
import { inWorkspace, registryKeyedByWorkspace } from './workspace.js';
import { validateAliasName, validateModelName, validateModelVersion } from './validation.js';

export async function setRegisteredModelAlias(x: RegistryExecutor, name: string, alias: string, version: number | string): Promise<void> {
  validateModelName(name);
  const a = validateAliasName(alias);
  validateModelVersion(version);
  const keyed = await x.guard(() => registryKeyedByWorkspace(x.db));
  await x.write(async (tx) => {
    const row = await versionRow(x, tx, name, version);
    const u = inWorkspace(keyed, [{ name: row.name, alias: a, version: Number(row.version) }], ['name', 'alias']);
    await x.d.upsert(tx, 'registered_model_aliases', u.rows, u.keys, ['version']);
  });
}

export async function deleteRegisteredModelAlias(x: RegistryExecutor, name: string, alias: string): Promise<void> {
  validateModelName(name);
  const a = validateAliasName(alias);
  await x.write(async (tx) => {
    const row = await modelRow(x, tx, name);
    await tx
      .deleteFrom('registered_model_aliases')
      .where(() => x.is('name', row.name))
      .where(() => x.is('alias', a))
      .execute();
  });
}

export async function getModelVersionByAlias(x: RegistryExecutor, name: string, alias: string): Promise<ModelVersion> {
  validateModelName(name);
  const a = validateAliasName(alias);
  return x.guard(async () => {
    const hit = await x.db
      .selectFrom('registered_model_aliases')
      .select(['name', 'version'])
      .where(() => x.is('name', name))
      .where(() => x.is('alias', a))
      .executeTakeFirst();
    if (!hit) throw new MlfError(`Registered model alias ${a} not found.`, 'INVALID_PARAMETER_VALUE');
    return fullVersion(x, x.db, await versionRow(x, x.db, hit.name, Number(hit.version)));
  });
}

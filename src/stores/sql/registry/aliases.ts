/** Registered model aliases in the SQL registry: set, delete, and the version an alias names. */
import { MlfError } from '../../../lib/errors.js';
import type { ModelVersion } from '../../registry-store.js';
import type { RegistryExecutor } from './executor.js';
import { fullVersion, modelRow, versionRow } from './hydrate.js';
import { validateAliasName, validateModelName, validateModelVersion } from './validation.js';

export async function setRegisteredModelAlias(x: RegistryExecutor, name: string, alias: string, version: number | string): Promise<void> {
  validateModelName(name);
  const a = validateAliasName(alias);
  validateModelVersion(version);
  await x.upsertUnder(
    (tx) => versionRow(x, tx, name, version),
    'registered_model_aliases',
    (row) => ({ name: row.name, alias: a, version: Number(row.version) }),
    ['name', 'alias'],
    ['version'],
  );
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

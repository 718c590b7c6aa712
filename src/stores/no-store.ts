/**
 * The error of a read-only command pointed where no MLflow store is: reading never creates a store,
 * so a typo'd folder, `.db` path or database name is reported instead of shown as empty.
 */
import { MlfError } from '../lib/errors.js';
import { maskUri } from '../tracking/uri.js';

export function noStoreError(where: string): MlfError {
  return new MlfError(`No MLflow store at ${maskUri(where)}: nothing was read and nothing was created there.`, 'RESOURCE_DOES_NOT_EXIST');
}

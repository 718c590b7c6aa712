/**
 * MLflow's permission levels (mlflow/server/auth/permissions.py): what each one allows.
 *
 * @example
 * PERMISSIONS.EDIT.update // true
 */
import { MlfError } from '../../lib/errors.js';

export const PERMISSION_NAMES = ['READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'] as const;
export type PermissionName = (typeof PERMISSION_NAMES)[number];

/** What a request needs of the permission on its experiment or registered model. */
export type Need = 'read' | 'update' | 'delete' | 'manage';

export type Permission = Readonly<Record<Need, boolean>>;

export const PERMISSIONS: Readonly<Record<PermissionName, Permission>> = {
  READ: { read: true, update: false, delete: false, manage: false },
  EDIT: { read: true, update: true, delete: false, manage: false },
  MANAGE: { read: true, update: true, delete: true, manage: true },
  NO_PERMISSIONS: { read: false, update: false, delete: false, manage: false },
};

export function isPermissionName(s: unknown): s is PermissionName {
  return typeof s === 'string' && (PERMISSION_NAMES as readonly string[]).includes(s);
}

/** MLflow's `_validate_permission` (its message prints the names as a Python tuple). */
export function validatePermission(s: unknown): PermissionName {
  if (isPermissionName(s)) return s;
  throw new MlfError(
    `Invalid permission '${String(s)}'. Valid permissions are: (${PERMISSION_NAMES.map((n) => `'${n}'`).join(', ')})`,
    'INVALID_PARAMETER_VALUE',
  );
}

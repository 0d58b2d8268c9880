// Which caller role may use a route that names which roles (ARCHITECTURE.md §6):
// `admin` may do everything; `operator` includes `ops-reader`; `contract-system` is separate.
import type { ApiRole } from '../../config/engine-config.js';

const GRANTS: Readonly<Record<ApiRole, readonly ApiRole[]>> = {
  admin: ['admin', 'operator', 'ops-reader', 'contract-system'],
  operator: ['operator', 'ops-reader'],
  'ops-reader': ['ops-reader'],
  'contract-system': ['contract-system'],
};

/** The roles a caller holding `role` acts as. */
export function grantedRoles(role: ApiRole): readonly ApiRole[] {
  return GRANTS[role];
}

/** Whether a caller with `role` may use a route open to any of `required`. */
export function roleAllows(role: ApiRole, required: readonly ApiRole[]): boolean {
  const granted = GRANTS[role];
  return required.some((r) => granted.includes(r));
}

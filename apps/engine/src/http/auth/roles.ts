// Which caller roles may use a route that names which roles (ARCHITECTURE.md §6):
// `admin` may do everything but approve a break-glass grant; `operator` includes `ops-reader`;
// `contract-system` and `approver` are separate. Approving stays with the people elected to approve
// (role `approver`), so holding `admin` alone never lets anyone open a grant.
import type { ApiRole } from '../../config/engine-config.js';

const GRANTS: Readonly<Record<ApiRole, readonly ApiRole[]>> = {
  admin: ['admin', 'operator', 'ops-reader', 'contract-system'],
  operator: ['operator', 'ops-reader'],
  'ops-reader': ['ops-reader'],
  'contract-system': ['contract-system'],
  approver: ['approver'],
};

/** The roles a caller holding `role` acts as. */
export function grantedRoles(role: ApiRole): readonly ApiRole[] {
  return GRANTS[role];
}

/** Whether a caller holding `roles` (one static token's, or a JWT's several) may use a route open to any of `required`. */
export function roleAllows(roles: ApiRole | readonly ApiRole[], required: readonly ApiRole[]): boolean {
  const held = typeof roles === 'string' ? [roles] : roles;
  return held.some((role) => required.some((r) => GRANTS[role].includes(r)));
}

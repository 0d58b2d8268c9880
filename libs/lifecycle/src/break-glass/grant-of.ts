import { DomainError, type BreakGlassState, type GrantState } from '@lethe/domain';

/** The grant of a loaded state; grant-not-found (404) when there is none. */
export function grantOf(state: BreakGlassState): GrantState {
  if (!state.exists) throw new DomainError('grant-not-found', 'break-glass grant not found');
  const { exists: _exists, ...grant } = state;
  return grant;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `id` has the shape of a grant id (lowercase UUID): anything else names no grant. */
export function isGrantId(id: string): boolean {
  return UUID.test(id);
}

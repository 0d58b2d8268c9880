// An integration event's id is derived, never drawn: each delivery attempt, each restart and each
// replay of the same domain event names the same id, so a consumer de-duplicates on it.
import { createHash } from 'node:crypto';

/** An RFC 9562 version 8 UUID from the domain event's id and the integration type. */
export function integrationEventId(domainEventId: string, type: string): string {
  const h = createHash('sha256').update(`lethe-integration\u0000${domainEventId}\u0000${type}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// Event ids derive from the cause (a command's id, a deadline's id, the id of the event that
// triggered a saga), so a retried command produces the same ids and the store appends nothing.
import { createHash } from 'node:crypto';

export function causedEventId(streamId: string, causeId: string, index: number): string {
  const h = createHash('sha256').update(`${streamId}\u0000${causeId}\u0000${index}`).digest();
  // Shape it as an RFC 9562 version 8 (custom) UUID.
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

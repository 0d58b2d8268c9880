// The durable timers that close a grant (lethe_deadlines kind `break-glass-expiry`, both run by
// BreakGlassExpiryHandler, whose decider tells which applies): one at the end of its window once
// approved, one at the instant its request lapses if it is still not approved (REQUEST_LAPSE_HOURS).
export const BREAK_GLASS_EXPIRY = 'break-glass-expiry';
export const breakGlassExpiryId = (grantId: string) => `${BREAK_GLASS_EXPIRY}:${grantId}`;
export const breakGlassLapseId = (grantId: string) => `break-glass-lapse:${grantId}`;
export interface BreakGlassTimerPayload {
  readonly grantId: string;
}

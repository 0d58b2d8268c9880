// The durable timer that closes a grant's window (lethe_deadlines kind `break-glass-expiry`).
export const BREAK_GLASS_EXPIRY = 'break-glass-expiry';
export const breakGlassExpiryId = (grantId: string) => `${BREAK_GLASS_EXPIRY}:${grantId}`;
export interface BreakGlassTimerPayload {
  readonly grantId: string;
}

// When a tenant's compliance must be judged again if nothing else happens: complianceOf depends on
// the key ring and the time, and the ring's events are judged as they come, so only the instants at
// which the time alone changes complianceOf's answer need a timer. The instants follow from the
// rules of compliance.ts and the numbers of promises.ts, nothing else.
import type { KeyRingFacts } from '../compliance.js';
import { RETIREMENT_SLACK_MS, ageLimitReachedAt, keyAgeLimitDays, reprotectDueBy } from '../promises.js';

/** The smallest step of an instant (ms): a rule that breaks strictly after T breaks at T + 1 ms. */
const INSTANT_MS = 1;

/**
 * The earliest instant strictly after `now` at which, with no new event, a violation of P1–P3 could
 * open or close for `facts` (ISO 8601), or null when none can (a shredded ring; nothing pending):
 * - P1 opens when the newest version reaches its age limit (at or past: the limit itself);
 * - P2 opens once the newest version's 24 hours are over while a database is behind (strictly after: + 1 ms);
 * - P3 opens an hour (RETIREMENT_SLACK_MS) after a superseded version's retainUntil (strictly after: + 1 ms);
 * - an unrestorable backup's violation closes when it expires (at its expiresAt).
 */
export function nextComplianceCheckAt(facts: KeyRingFacts, now: Date): string | null {
  if (facts.destroyed) return null;
  const t = now.getTime();
  const candidates = [
    Date.parse(ageLimitReachedAt(facts.newest.createdAt, keyAgeLimitDays(facts.keyCustody, facts.rotationPeriodDays))),
    ...(facts.databases.some((d) => d.keyVersionId !== facts.newest.keyVersionId) ? [Date.parse(reprotectDueBy(facts.newest.createdAt)) + INSTANT_MS] : []),
    ...facts.superseded.filter((v) => v.retainUntil !== null).map((v) => Date.parse(v.retainUntil!) + RETIREMENT_SLACK_MS + INSTANT_MS),
    ...facts.unrestorableBackups.map((b) => Date.parse(b.expiresAt)),
  ].filter((c) => c > t);
  return candidates.length === 0 ? null : new Date(Math.min(...candidates)).toISOString();
}

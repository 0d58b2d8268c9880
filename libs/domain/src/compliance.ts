// Which promises a key ring breaks at an instant (P1–P3; P4 is the shred's own record). Pure: the
// compliance report runs it over the read model's rows, and specs run it over a ring folded from
// events, so both say the same thing. The numbers and rule texts live in promises.ts.
import {
  RETIREMENT_SLACK_MS,
  ageLimitReachedAt,
  keyAgeLimitDays,
  reprotectDueBy,
} from './promises.js';
import type { KeyCustody } from './tenant/tenant.events.js';

/** What compliance is judged on: one key ring as the read model (or the aggregate) knows it. */
export interface KeyRingFacts {
  readonly tenantId: string;
  readonly keyCustody: KeyCustody;
  readonly rotationPeriodDays: number;
  /** Crypto-shredded: no promise but P4 applies any more. */
  readonly destroyed: boolean;
  readonly newest: { readonly keyVersionId: string; readonly createdAt: string };
  /** Where each database stands: the version protecting it now. */
  readonly databases: readonly { readonly databaseId: string; readonly keyVersionId: string }[];
  /** Superseded versions not retired yet, with the retainUntil the ring computes (null: needed indefinitely). */
  readonly superseded: readonly { readonly keyVersionId: string; readonly retainUntil: string | null }[];
  /** Backups recorded after a version they need was retired, not deleted (expired ones are ignored here). */
  readonly unrestorableBackups: readonly { readonly backupId: string; readonly keyVersionIds: readonly string[]; readonly expiresAt: string }[];
}

export interface P1Violation {
  readonly tenantId: string;
  readonly keyCustody: KeyCustody;
  readonly newestKeyVersionId: string;
  readonly newestCreatedAt: string;
  readonly limitDays: number;
}

export interface P2Violation {
  readonly tenantId: string;
  readonly keyVersionId: string;
  readonly databases: readonly { readonly databaseId: string; readonly keyVersionId: string }[];
}

export type P3Violation =
  | { readonly problem: 'kept-after-retain-until'; readonly tenantId: string; readonly keyVersionId: string; readonly retainUntil: string }
  | {
      readonly problem: 'backup-needs-retired-key-version';
      readonly tenantId: string;
      readonly backupId: string;
      readonly keyVersionIds: readonly string[];
      readonly expiresAt: string;
    };

export interface Compliance {
  readonly P1: readonly P1Violation[];
  readonly P2: readonly P2Violation[];
  readonly P3: readonly P3Violation[];
}

const NONE: Compliance = { P1: [], P2: [], P3: [] };

/**
 * The promises `ring` breaks at `now`:
 * - P1: its newest version is at or past its age limit (the rotation period; 730 days client-held);
 * - P2: a database is not on the newest version more than 24 hours after that version appeared;
 * - P3: a superseded version is still not retired an hour (the timer's slack) after its retainUntil,
 *   or a live backup needs a version that was already retired when it was recorded.
 */
export function complianceOf(ring: KeyRingFacts, now: Date): Compliance {
  if (ring.destroyed) return NONE;
  const t = now.getTime();
  const limitDays = keyAgeLimitDays(ring.keyCustody, ring.rotationPeriodDays);
  const P1: P1Violation[] =
    t >= Date.parse(ageLimitReachedAt(ring.newest.createdAt, limitDays))
      ? [{ tenantId: ring.tenantId, keyCustody: ring.keyCustody, newestKeyVersionId: ring.newest.keyVersionId, newestCreatedAt: ring.newest.createdAt, limitDays }]
      : [];
  const behind = ring.databases.filter((d) => d.keyVersionId !== ring.newest.keyVersionId);
  const P2: P2Violation[] =
    behind.length > 0 && t > Date.parse(reprotectDueBy(ring.newest.createdAt))
      ? [{ tenantId: ring.tenantId, keyVersionId: ring.newest.keyVersionId, databases: behind.map(({ databaseId, keyVersionId }) => ({ databaseId, keyVersionId })) }]
      : [];
  const P3: P3Violation[] = [
    ...ring.superseded
      .filter((v) => v.retainUntil !== null && Date.parse(v.retainUntil) < t - RETIREMENT_SLACK_MS)
      .map((v) => ({ problem: 'kept-after-retain-until' as const, tenantId: ring.tenantId, keyVersionId: v.keyVersionId, retainUntil: v.retainUntil! })),
    ...ring.unrestorableBackups
      .filter((b) => Date.parse(b.expiresAt) > t)
      .map((b) => ({ problem: 'backup-needs-retired-key-version' as const, tenantId: ring.tenantId, backupId: b.backupId, keyVersionIds: b.keyVersionIds, expiresAt: b.expiresAt })),
  ];
  return { P1, P2, P3 };
}

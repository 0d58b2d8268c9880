import { Query } from '@nestjs/cqrs';
import type { KeyVersionStatus } from '@lethe/domain';

/** At most this many backups are named per version (a version can be needed by thousands of log backups). */
export const RETAINING_BACKUPS_SHOWN = 10;

/** One key version's life, for a chart. Instants are ISO 8601 UTC. */
export interface VersionLifetime {
  readonly keyVersionId: string;
  /** 1-based, in the order the versions were added. */
  readonly number: number;
  /** `onboarding`, `policy`, `manual` or `detected`. */
  readonly source: string;
  readonly status: KeyVersionStatus;
  readonly createdAt: string;
  /**
   * Each interval during which it protected a database: `until` is when the database moved off it, or
   * when the version was retired or destroyed with the database still on it; null only while it still does.
   */
  readonly protects: readonly { readonly databaseId: string; readonly from: string; readonly until: string | null }[];
  /** When the next version was created; null for the newest. */
  readonly supersededAt: string | null;
  /**
   * P3 (the domain's retainUntil): null while newest or in use, or after a shred; for a retired
   * version, the retention end it was retired against (the earliest instant retirement was allowed;
   * `retiredAt`, when the retirement timer fired, is at or after it).
   */
  readonly retainedUntil: string | null;
  /**
   * Backups not deleted that need it, latest expiry first, at most RETAINING_BACKUPS_SHOWN; without
   * those recorded after it was retired (flagged unrestorable for it: they never held it back).
   */
  readonly retainedBecause: readonly { readonly backupId: string; readonly kind: string; readonly expiresAt: string }[];
  /** How many backups (not deleted) need it in all: GET /keys' backupCount. */
  readonly retainingBackups: number;
  /** When the retirement timer retired it (it is disabled in the vault right after, and destroyed after its grace). */
  readonly retiredAt: string | null;
  /**
   * When its material was destroyed: at the end of its grace as a retired version (KeyVersionDestroyed),
   * or else as the vault reported it to the shred that destroyed the tenant key (the deletion
   * certificate's `unusableAt`; a version retired before the grace existed was destroyed at its
   * retirement). Null while it has not been destroyed.
   */
  readonly destroyedAt: string | null;
}

export interface KeyTimeline {
  readonly tenantId: string;
  /** `managed` or `client`. */
  readonly keyCustody: string | null;
  /** The ring's point-in-time window (days); null before the ring is open. */
  readonly pitrRetentionDays: number | null;
  /** When a shred destroyed the tenant key. */
  readonly destroyedAt: string | null;
  /** Oldest first; empty before the ring is open. */
  readonly versions: readonly VersionLifetime[];
}

/** Each key version's lifetime; null for a tenant never onboarded. */
export class GetKeyTimelineQuery extends Query<KeyTimeline | null> {
  constructor(readonly tenantId: string) {
    super();
  }
}

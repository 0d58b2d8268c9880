// What one tenant's check sees and how it reports: the facts, Lethe's record, the vault, the
// simulated instant; violations (each reported once, by subject), margins, and when the tenant must
// be looked at again although nothing new happened (a limit about to pass).
import type { Violation } from '../fleet/fleet-facts.js';
import type { TenantFacts } from './fleet-model.js';
import type { TenantRecord } from './lethe-record.js';
import type { OutageSpan } from './outages.js';
import type { PlatformBackupAssets, VaultKey } from './vault-snapshot.js';
import type { OracleCalendar } from './working-days.js';

export type PromiseId = Violation['promise'];

/** A violation's text, or how to make it: only made when the violation is new. */
export type Text = string | (() => string);

export interface MarginSink {
  shred(ms: number): void;
  reprotection(ms: number): void;
  rotation(ms: number): void;
  retirement(ms: number): void;
}

export interface TenantCheck {
  readonly tenantId: string;
  readonly facts: TenantFacts;
  readonly record: TenantRecord;
  /** The tenant's key in the vault (undefined: the vault has none). */
  readonly vaultKey: VaultKey | undefined;
  /** The tenant's platform-key backups in the asset store, when read. */
  readonly platformBackups: PlatformBackupAssets | undefined;
  readonly now: number;
  readonly calendar: OracleCalendar;
  readonly outages: readonly OutageSpan[];
  readonly margins: MarginSink;
  /**
   * Reports a broken promise once per `subject` (a stable name of what broke, e.g. "retire:vkv-1"):
   * the same subject found again by a later check is not reported again.
   */
  violation(subject: string, promise: PromiseId, expected: Text, actual: Text): void;
  /** Asks to be checked again once `now` is past `limit`, even if nothing new happened. */
  recheckAfter(limit: number): void;
  /** Remembers a judgement made once for good (a retirement judged, a backup's flag checked): true when made before. */
  judged(subject: string): boolean;
  /** Whether `subject` was settled: nothing about it can change any more, later checks skip it. */
  isSettled(subject: string): boolean;
  settle(subject: string): void;
}

export const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

/** The instant the tenant's key stopped mattering to rotation and retention: its shred began. */
export function shredStartedAt(c: TenantCheck): number | null {
  let first: number | null = null;
  for (const s of c.record.shreds) if (s.startedAt !== null && (first === null || s.startedAt < first)) first = s.startedAt;
  if (c.record.ringDestroyedAt !== null && (first === null || c.record.ringDestroyedAt < first)) first = c.record.ringDestroyedAt;
  const tomb = c.vaultKey?.tombstonedAt?.getTime() ?? null;
  if (tomb !== null && (first === null || tomb < first)) first = tomb;
  return first;
}

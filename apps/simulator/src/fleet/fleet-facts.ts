// The simulated world, as the fleet generator makes it from a seed: every fact the simulator will
// make happen, at the simulated instant it happens. The driver applies them to the real engine (over
// its HTTP API, or in the vault for a client's own rotation); the oracle computes what each promise
// requires from these facts alone, never from Lethe's code. Instants are ISO 8601 UTC strings.

export type KeyCustody = 'managed' | 'client';
export type BackupKeyMode = 'customer' | 'platform';
/** Backup schedule a backup belongs to (its retention follows from it). */
export type BackupSchedule = 'pitr' | 'weekly-full' | 'monthly' | 'yearly';

export interface TenantSpec {
  readonly tenantId: string;
  /** ISO 3166 country with optional subdivision, as date-holidays knows it (e.g. GB-ENG, DE-BY, US-NY). */
  readonly jurisdiction: string;
  /** IANA time zone; undefined: the jurisdiction's default (the engine picks it). */
  readonly timeZone?: string;
  readonly keyCustody: KeyCustody;
  readonly backupKeyMode: BackupKeyMode;
  /** Days, 1..730. */
  readonly rotationPeriodDays: number;
  /** Days, 1..35. */
  readonly pitrRetentionDays: number;
  readonly databases: readonly string[];
}

export type FleetFact =
  | { readonly at: string; readonly kind: 'onboard'; readonly tenant: TenantSpec }
  | { readonly at: string; readonly kind: 'add-database'; readonly tenantId: string; readonly databaseId: string }
  | {
      readonly at: string;
      readonly kind: 'backup';
      readonly tenantId: string;
      readonly backupId: string;
      readonly databaseId: string;
      readonly schedule: BackupSchedule;
      /** Start of the window the backup can restore (a point-in-time chain covers days). */
      readonly coveredFrom: string;
      readonly takenAt: string;
      readonly expiresAt: string;
    }
  | { readonly at: string; readonly kind: 'backup-deleted'; readonly tenantId: string; readonly backupId: string }
  | { readonly at: string; readonly kind: 'backup-retention-changed'; readonly tenantId: string; readonly backupId: string; readonly expiresAt: string }
  | { readonly at: string; readonly kind: 'rotation-period-changed'; readonly tenantId: string; readonly rotationPeriodDays: number }
  | { readonly at: string; readonly kind: 'pitr-retention-changed'; readonly tenantId: string; readonly pitrRetentionDays: number }
  /** A client-held key's owner creates a new version in the vault, outside Lethe. */
  | { readonly at: string; readonly kind: 'client-rotation'; readonly tenantId: string }
  /**
   * The contract system reports a termination at `at` (the notice), effective at `effectiveAt` (may be
   * in the future, or so far in the past that the deadline already passed: a late notice).
   * `deliveries` > 1: the same message delivered again (duplicates fault).
   */
  | {
      readonly at: string;
      readonly kind: 'termination';
      readonly tenantId: string;
      readonly terminationId: string;
      readonly contractId: string;
      readonly effectiveAt: string;
      readonly deliveries: number;
    }
  | { readonly at: string; readonly kind: 'deletion-request'; readonly tenantId: string; readonly requestId: string; readonly deliveries: number }
  /** The operator withdraws the tenant's pending shred (every trigger received before it). */
  | { readonly at: string; readonly kind: 'cancel-shred'; readonly tenantId: string };

/** Faults the driver injects on request (`--faults`). */
export const FAULT_KINDS = ['vault', 'crash', 'duplicates', 'late'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A stretch of simulated time during which every vault call fails or times out (`vault` fault). */
export interface VaultOutage {
  readonly from: string;
  readonly until: string;
  readonly mode: 'fail' | 'timeout';
}

export interface FleetPlan {
  readonly seed: number;
  readonly start: string;
  readonly end: string;
  readonly tenants: readonly TenantSpec[];
  /** Every fact, sorted by `at` (ties keep generation order). */
  readonly facts: readonly FleetFact[];
  readonly vaultOutages: readonly VaultOutage[];
  /** Simulated instants at which the driver kills the engine with SIGKILL and restarts it (`crash` fault). */
  readonly crashes: readonly string[];
}

/** A promise broken, as the oracle reports it. */
export interface Violation {
  readonly tenantId: string;
  readonly promise: 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P6';
  /** What the promise required, in words with instants (e.g. "retired no earlier than 2029-03-01T00:00:00.000Z"). */
  readonly expected: string;
  /** What Lethe recorded or the vault holds. */
  readonly actual: string;
  /** Simulated time at which it was detected. */
  readonly detectedAt: string;
}

/** The tightest the fleet came to each promise's limit (positive: inside the promise). */
export interface Margins {
  /** Least time (ms) between a shred's verification and its deadline. */
  readonly shredDeadlineMs: number | null;
  /** Longest time (ms) from a new key version to the last database re-protected with it. */
  readonly longestReprotectionMs: number | null;
  /** Least time (ms) between a version's newest-age and its rotation period at rotation. */
  readonly rotationMs: number | null;
  /** Least time (ms) between a version's earliest allowed retirement and its actual retirement (>= 0). */
  readonly retirementMs: number | null;
}

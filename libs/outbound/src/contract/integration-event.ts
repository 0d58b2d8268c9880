// The public contract Lethe's downstream automation relies on (docs/events.md). Domain events are
// internal and may change shape; an integration event's payload for a given (type, schemaVersion)
// never changes: a change that is not purely additive ships as a new schemaVersion.

/** Every integration event type Lethe publishes today. */
export const INTEGRATION_EVENT_TYPES = [
  'tenant.onboarded',
  'key.version-added',
  'key.database-reprotected',
  'key.reprotection-overdue',
  'key.version-retired',
  'key.version-enabled',
  'key.version-destroyed',
  'shred.scheduled',
  'shred.rescheduled',
  'shred.cancelled',
  'shred.executed',
  'shred.verified',
  'shred.verification-failed',
  'shred.deadline-breached',
  'backup.unrestorable',
  'compliance.violation-opened',
  'compliance.violation-closed',
] as const;

export type IntegrationEventType = (typeof INTEGRATION_EVENT_TYPES)[number];

export const SCHEMA_VERSION = 1;

export type ShredTriggerRef =
  | { readonly kind: 'termination'; readonly terminationId: string; readonly contractId: string }
  | { readonly kind: 'deletion-request'; readonly requestId: string };

/** The payload of each type, schema version 1. Ids, instants, counts and enumerated values only. */
export interface IntegrationPayloads {
  readonly 'tenant.onboarded': {
    readonly jurisdiction: string;
    readonly timeZone: string;
    readonly keyCustody: 'managed' | 'client';
    readonly backupKeyMode: 'customer' | 'platform';
    readonly databaseIds: readonly string[];
    readonly rotationPeriodDays: number;
    readonly pitrRetentionDays: number;
    readonly shredGraceWorkingDays: number;
  };
  readonly 'key.version-added': { readonly keyVersionId: string; readonly source: 'policy' | 'manual' | 'detected'; readonly createdAt: string };
  readonly 'key.database-reprotected': { readonly databaseId: string; readonly fromKeyVersionId: string; readonly toKeyVersionId: string };
  readonly 'key.reprotection-overdue': { readonly databaseId: string; readonly keyVersionId: string; readonly dueBy: string };
  readonly 'key.version-retired': { readonly keyVersionId: string; readonly retainUntil: string };
  /** Break-glass `key-version.enable`: usable again until `enabledUntil`, then retired again. */
  readonly 'key.version-enabled': { readonly keyVersionId: string; readonly enabledUntil: string; readonly grantId: string };
  /** P3: a retired version destroyed in the vault after its grace (LETHE_RETIRED_KEY_GRACE_DAYS); never enabled again. */
  readonly 'key.version-destroyed': { readonly keyVersionId: string };
  readonly 'shred.scheduled': {
    readonly shredId: string;
    readonly trigger: ShredTriggerRef;
    readonly effectiveAt: string;
    readonly deadline: string;
    readonly executeAt: string;
  };
  readonly 'shred.rescheduled': {
    readonly shredId: string;
    readonly trigger: ShredTriggerRef;
    readonly deadline: string;
    readonly executeAt: string;
    readonly previousDeadline: string;
    readonly previousExecuteAt: string;
  };
  readonly 'shred.cancelled': { readonly shredId: string };
  readonly 'shred.executed': {
    readonly shredId: string;
    readonly keyId: string;
    readonly keyVersions: readonly { readonly keyVersionId: string; readonly unusableAt: string }[];
  };
  readonly 'shred.verified': {
    readonly shredId: string;
    readonly certificate: { readonly id: string; readonly sha256: string; readonly signingKeyId: string; readonly href: string };
  };
  readonly 'shred.verification-failed': { readonly shredId: string; readonly attempt: number; readonly readableDatabaseIds: readonly string[] };
  readonly 'shred.deadline-breached': {
    readonly shredId: string;
    readonly cause: 'late-notification' | 'not-verified-by-deadline';
    readonly deadline: string;
  };
  readonly 'backup.unrestorable': {
    readonly backupId: string;
    readonly databaseId: string;
    readonly backupKind: 'pitr' | 'full' | 'ltr';
    readonly reason: 'key-version-retired';
    readonly retiredKeyVersionIds: readonly string[];
    readonly expiresAt: string;
  };
  readonly 'compliance.violation-opened': {
    readonly promise: 'P1' | 'P2' | 'P3';
    readonly violationId: string;
    readonly openedAt: string;
    readonly detail: ViolationDetailV1;
  };
  readonly 'compliance.violation-closed': { readonly promise: 'P1' | 'P2' | 'P3'; readonly violationId: string; readonly openedAt: string; readonly closedAt: string };
}

/** What a compliance violation is about, schema version 1: ids, instants and numbers only. */
export type ViolationDetailV1 =
  | { readonly problem: 'key-version-too-old'; readonly keyCustody: 'managed' | 'client'; readonly keyVersionId: string; readonly createdAt: string; readonly limitDays: number }
  | { readonly problem: 'databases-not-reprotected'; readonly keyVersionId: string; readonly databaseIds: readonly string[] }
  | { readonly problem: 'kept-after-retain-until'; readonly keyVersionId: string; readonly retainUntil: string }
  | { readonly problem: 'backup-needs-retired-key-version'; readonly backupId: string; readonly keyVersionIds: readonly string[]; readonly expiresAt: string };

/** The envelope every sink receives (the JSON body of a webhook, the content of an AMQP message). */
export type IntegrationEvent<T extends IntegrationEventType = IntegrationEventType> = T extends IntegrationEventType
  ? {
      /** Stable across retries and replays: derived from the domain event and the type (de-duplicate on it). */
      readonly id: string;
      readonly type: T;
      readonly schemaVersion: typeof SCHEMA_VERSION;
      /** The instant Lethe decided or observed what the event reports (ISO 8601 UTC). */
      readonly time: string;
      readonly tenantId: string;
      /**
       * The domain event's global log position, a decimal string: increasing within a tenant, so a
       * consumer can order, and an operator can replay from it.
       */
      readonly position: string;
      readonly data: IntegrationPayloads[T];
    }
  : never;

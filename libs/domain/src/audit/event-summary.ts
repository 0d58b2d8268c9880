// One line per stored event for the audit trail (P6: every decision and action is an event ops can
// query; no key material, secret or personal data in an event, log or error). A summary is built
// from ids, counts, instants and enumerated values only: never free text a caller typed (cancel and
// termination reasons), error or probe details, nor anything the vault or the data plane returned.
// The table below has one entry per event type of the domain, so adding a type to an event union
// without saying how to summarise it does not compile.
import type { BreakGlassEvent, UseRefusal } from '../break-glass/break-glass.events.js';
import type { CalendarEvent } from '../calendar/calendar.events.js';
import type { ComplianceWatchEvent, ViolationDetail } from '../compliance-watch/compliance-watch.events.js';
import type { ContractEvent } from '../contract/contract.events.js';
import type { KeyRingEvent } from '../keys/key-ring.events.js';
import type { ShredTrigger, TenantEvent, TriggerDisposition } from '../tenant/tenant.events.js';
import { externalIdSchema } from '../validation/field-rules.js';

/** Every event type the domain writes, whatever its stream. */
export type LetheEvent = TenantEvent | KeyRingEvent | ContractEvent | CalendarEvent | ComplianceWatchEvent | BreakGlassEvent;

export interface EventDescription {
  /** One line for a person, without key material, secrets, free text or personal data. */
  readonly summary: string;
  /**
   * The instant the event records (ISO 8601): its `at`, or for a notice when it was received; null
   * when its data records none (a ContractTerminated: `effectiveAt` is when it takes effect).
   */
  readonly at: string | null;
}

type DataOf<T extends LetheEvent['type']> = Extract<LetheEvent, { type: T }>['data'];
type Describers = { readonly [T in LetheEvent['type']]: (data: DataOf<T>) => EventDescription };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Break-glass backup.extend-retention: a backup kept past the maximum retention names the grant that allowed it. */
function pastMaximumRetention(grantId: string | undefined): string {
  return grantId === undefined ? '' : `; kept past the maximum retention under break-glass grant ${grantId}`;
}

/** Why a privileged call was refused, as the audit trail says it. */
const REFUSAL: Readonly<Record<UseRefusal, string>> = {
  'no-grant': 'it named no break-glass grant',
  'unknown-grant': 'the break-glass grant it named does not exist',
  'not-approved': 'the grant is not approved',
  expired: 'the grant has expired',
  revoked: 'the grant was revoked',
  'not-the-requester': 'the grant serves the person who requested it only',
  'tenant-out-of-scope': "the grant's scope does not include this tenant",
  'operation-out-of-scope': "the grant's scope does not include this operation",
};

const described = (at: string | null, summary: string): EventDescription => ({ summary, at });

function trigger(t: ShredTrigger): string {
  return t.kind === 'termination' ? `termination ${t.terminationId} (contract ${t.contractId})` : `deletion request ${t.requestId}`;
}

const DISPOSITION: Readonly<Record<TriggerDisposition, (shredId: string | null) => string>> = {
  'already-scheduled': (shredId) => `joined the scheduled shred ${shredId ?? ''}`.trimEnd(),
  'already-shredded': () => 'the tenant is already shredded',
  withdrawn: () => 'withdrawn by a cancel recorded after it',
};

/** A value a contract system wrote itself: shown only when it is a well-formed external id. */
const externalId = (value: unknown): string | null => (externalIdSchema.safeParse(value).success ? (value as string) : null);
const instant = (value: unknown): string | null => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null);

/** When the purge still to come is expected (the latest of the versions not purged yet), if known. */
function purgeExpected(versions: readonly { readonly purgedAt: string | null; readonly purgeExpectedAt?: string | null }[]): string {
  const expected = versions.filter((v) => v.purgedAt === null).map((v) => v.purgeExpectedAt ?? null);
  if (expected.length === 0) return '';
  if (expected.some((e) => e === null)) return '; the rest purged when the vault purges them';
  return `; the rest purged by ${expected.sort().at(-1)}`;
}

const DESCRIBE: Describers = {
  // ---- tenant-<id> ------------------------------------------------------------------------------
  TenantOnboarded: (d) =>
    described(
      d.at,
      `Tenant onboarded in ${d.jurisdiction} (${d.keyCustody === 'managed' ? 'managed' : 'client-held'} key, ${d.backupKeyMode}-key backups, ${plural(d.databases.length, 'database')})`,
    ),
  DeletionRequested: (d) => described(d.receivedAt, `Deletion requested (request ${d.requestId})`),
  ShredScheduled: (d) =>
    described(d.receivedAt, `Shred ${d.shredId} scheduled by ${trigger(d.trigger)}: execute at ${d.executeAt}, deadline ${d.deadline}`),
  ShredTriggerRecorded: (d) => described(d.at, `${capitalised(trigger(d.trigger))} recorded: ${DISPOSITION[d.disposition](d.shredId)}`),
  ShredAdvanced: (d) =>
    described(d.at, `Shred ${d.shredId} moved earlier by ${trigger(d.trigger)}: deadline ${d.previousDeadline} → ${d.deadline}, execute at ${d.executeAt}`),
  ShredExecutionForced: (d) => described(d.at, `Shred ${d.shredId} forced to execute now under break-glass grant ${d.grantId} (was due ${d.previousExecuteAt})`),
  ShredCancelled: (d) => described(d.at, `Shred ${d.shredId} cancelled`),
  ShredExecutionStarted: (d) => described(d.at, `Shred ${d.shredId} execution started`),
  KeyDestroyed: (d) =>
    described(
      d.at,
      `Tenant key destroyed in the vault: ${plural(d.versions.length, 'key version')} unusable, ${d.versions.filter((v) => v.purgedAt !== null).length} purged` +
        purgeExpected(d.versions),
    ),
  KeyMaterialPurged: (d) => described(d.at, `Key material purged from the vault: ${plural(d.versions.length, 'key version')} gone for good`),
  AssetsPurged: (d) => described(d.at, `${plural(d.assets.length, 'platform-key asset')} purged${kindsOf(d.assets)}`),
  ShredStepFailed: (d) => described(d.at, `Shred ${d.shredId} step ${d.step} failed (failure ${d.failure}); will retry`),
  ShredProbeRecorded: (d) =>
    described(
      d.at,
      `Read probe ${d.attempt} of shred ${d.shredId}: ${d.outcome} (${d.results.filter((r) => r.outcome === 'key-destroyed').length} of ${plural(d.results.length, 'database')} unreadable)`,
    ),
  ShredVerified: (d) => described(d.at, `Shred ${d.shredId} verified by read probe ${d.attempt}`),
  ShredVerificationFailed: (d) =>
    described(d.at, `Shred ${d.shredId} verification failed: ${plural(d.readableDatabases.length, 'database')} still readable (${d.readableDatabases.join(', ')})`),
  ShredDeadlineBreached: (d) => described(d.at, `Shred ${d.shredId} breached its deadline ${d.deadline} (${d.cause})`),
  DeletionCertificateIssued: (d) => described(d.at, `Deletion certificate ${d.certificateId} issued for shred ${d.shredId} (signing key ${d.keyId})`),

  // ---- keys-<id> --------------------------------------------------------------------------------
  KeyRingOpened: (d) =>
    described(
      d.at,
      `Key ring opened (${d.keyCustody === 'managed' ? 'managed' : 'client-held'} key, version ${d.version.keyVersionId}, ${plural(d.databases.length, 'database')}, rotation every ${plural(d.rotationPeriodDays, 'day')}, point-in-time window ${plural(d.pitrRetentionDays, 'day')})`,
    ),
  KeyVersionAdded: (d) => described(d.at, `Key version ${d.keyVersionId} created (${d.source})`),
  DatabaseReprotected: (d) => described(d.at, `Database ${d.databaseId} re-protected: key version ${d.fromKeyVersionId} → ${d.toKeyVersionId}`),
  DatabaseAdded: (d) => described(d.at, `Database ${d.databaseId} added, protected by key version ${d.keyVersionId}`),
  DatabaseRotationOverdue: (d) =>
    described(d.at, `Database ${d.databaseId} not re-protected with key version ${d.keyVersionId} by ${d.dueBy}: overdue (P2)`),
  RotationPeriodChanged: (d) => described(d.at, `Rotation period set to ${plural(d.rotationPeriodDays, 'day')}`),
  BackupPolicyChanged: (d) => described(d.at, `Point-in-time retention window set to ${plural(d.pitrRetentionDays, 'day')}`),
  KeyRotationDue: (d) => described(d.at, `Client-held key version ${d.keyVersionId} due for rotation since ${d.dueAt} (P1)`),
  BackupRecorded: (d) =>
    described(
      d.at,
      `Backup ${d.backupId} recorded (${d.kind} of database ${d.databaseId}, ${d.protection}, needs ${plural(d.keyVersionIds.length, 'key version')}, expires ${d.expiresAt})` +
        (d.unrestorable ? `; not restorable: ${plural(d.unrestorable.keyVersionIds.length, 'key version')} it needs already retired` : '') +
        pastMaximumRetention(d.grantId),
    ),
  BackupRetentionChanged: (d) => described(d.at, `Backup ${d.backupId} now expires ${d.expiresAt}${pastMaximumRetention(d.grantId)}`),
  BackupDeleted: (d) => described(d.at, `Backup ${d.backupId} deleted`),
  StagingAssetRegistered: (d) => described(d.at, `Staging asset ${d.assetId} registered (${d.expiresAt ? `expires ${d.expiresAt}` : 'no expiry'})`),
  KeyVersionRetired: (d) =>
    described(
      d.at,
      d.destroyAt === undefined || d.destroyAt === d.at
        ? `Key version ${d.keyVersionId} retired (retained until ${d.retainUntil}): disabled and destroyed in the vault`
        : `Key version ${d.keyVersionId} retired (retained until ${d.retainUntil}): disabled in the vault, destroyed at ${d.destroyAt} unless enabled again under break-glass`,
    ),
  KeyVersionDestroyed: (d) => described(d.at, `Key version ${d.keyVersionId} destroyed in the vault, its grace as a retired version over`),
  KeyRingDestroyed: (d) => described(d.at, 'Key ring destroyed by the shred: every key version is gone'),
  // break-glass `key-version.enable`
  KeyVersionEnabled: (d) => described(d.at, `Key version ${d.keyVersionId} enabled again under break-glass grant ${d.grantId}, until ${d.until} (then retired again)`),

  // ---- contract-<id>: the contract system may append here itself, so nothing is taken on trust ---
  ContractTerminated: (d) => {
    const terminationId = externalId(d.terminationId);
    const contractId = externalId(d.contractId);
    const effectiveAt = instant(d.effectiveAt);
    if (!terminationId || !contractId || !effectiveAt) return described(null, 'Contract termination with invalid data: never acted on');
    return described(null, `Contract ${contractId} terminated (termination ${terminationId}), effective ${effectiveAt}`);
  },
  ContractEventRejected: (d) => {
    const errors = Array.isArray(d.errors) ? d.errors.length : 0;
    const revision = Number.isSafeInteger(d.revision) ? ` at contract revision ${d.revision}` : '';
    return described(instant(d.at), `Contract event${revision} rejected: ${plural(errors, 'rule')} broken; it triggers nothing`);
  },

  // ---- compliance-<id> --------------------------------------------------------------------------
  ComplianceViolationOpened: (d) => described(d.at, `${d.promise} violation ${d.violationId} opened: ${violationText(d.detail)}`),
  ComplianceViolationClosed: (d) => described(d.at, `${d.promise} violation ${d.violationId} closed (open since ${d.openedAt})`),

  // ---- break-glass-<grantId>, and privileged-refusals-<tenantId> (a call naming no existing grant) ---
  // Subjects are identity names (never a token); taskRef and reason are free text, never shown.
  BreakGlassRequested: (d) =>
    described(
      d.at,
      `Break-glass grant ${d.grantId} requested by ${d.requestedBy}: ${d.scope.operations.join(', ')} on ${plural(d.scope.tenantIds.length, 'tenant')} for ${plural(d.durationMinutes, 'minute')}, ${plural(d.approvalsRequired, 'approval')} needed`,
    ),
  BreakGlassApproved: (d) => described(d.at, `Break-glass grant ${d.grantId} approved by ${d.approver}`),
  BreakGlassActivated: (d) => described(d.at, `Break-glass grant ${d.grantId} active from ${d.activeFrom} until ${d.expiresAt}`),
  BreakGlassRevoked: (d) => described(d.at, `Break-glass grant ${d.grantId} revoked by ${d.by}`),
  BreakGlassExpired: (d) => described(d.at, `Break-glass grant ${d.grantId} expired`),
  BreakGlassUsed: (d) => described(d.at, `Privileged ${d.operation} on tenant ${d.tenantId} by ${d.by} under break-glass grant ${d.grantId}`),
  BreakGlassUseRefused: (d) =>
    described(d.at, `Privileged ${d.operation} on tenant ${d.tenantId} by ${d.by} refused (${d.reason}): ${REFUSAL[d.reason]}${d.grantId === null ? '' : ` (grant ${d.grantId})`}`),

  // ---- calendar-<jurisdiction> ------------------------------------------------------------------
  CalendarOverrideDeclared: (d) => described(d.at, `${d.date} declared a ${d.kind === 'working' ? 'working day' : 'day off'} in ${d.jurisdiction} (${d.overrideId})`),
  CalendarOverrideWithdrawn: (d) => described(d.at, `Calendar override ${d.overrideId} of ${d.date} in ${d.jurisdiction} withdrawn`),
};

function violationText(detail: ViolationDetail): string {
  switch (detail.problem) {
    case 'key-version-too-old':
      return `key version ${detail.keyVersionId} (created ${detail.createdAt}) reached its ${plural(detail.limitDays, 'day')} age limit`;
    case 'databases-not-reprotected':
      return `${plural(detail.databaseIds.length, 'database')} not on key version ${detail.keyVersionId} 24 hours after it appeared`;
    case 'kept-after-retain-until':
      return `key version ${detail.keyVersionId} not retired after its retainUntil ${detail.retainUntil}`;
    case 'backup-needs-retired-key-version':
      return `backup ${detail.backupId} needs ${plural(detail.keyVersionIds.length, 'retired key version')}`;
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function kindsOf(assets: readonly { readonly kind: string }[]): string {
  if (assets.length === 0) return '';
  const counts = new Map<string, number>();
  for (const a of assets) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  return ` (${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')})`;
}

/** Whether `type` is one of the domain's event types (a contract stream may hold any other). */
export function isLetheEventType(type: string): type is LetheEvent['type'] {
  return Object.hasOwn(DESCRIBE, type);
}

/**
 * The summary and recorded instant of one of the domain's events, in its current shape (upcast).
 * Pass only events of the stream category that owns the type; anything else is `describeForeignEvent`.
 */
export function describeEvent(event: LetheEvent): EventDescription {
  return (DESCRIBE[event.type] as (data: unknown) => EventDescription)(event.data);
}

/** An event Lethe did not write and does not know (appended to a contract stream by someone else). */
export function describeForeignEvent(): EventDescription {
  return described(null, 'An event of a type Lethe does not know: recorded, never acted on');
}

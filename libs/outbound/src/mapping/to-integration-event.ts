// Which stored domain events become which integration events, and what of them is published. Pure:
// the outbox processor runs it on each event it reads from the log; specs run it on literals. A
// payload copies ids, instants and enumerated values only: never free text a caller typed (cancel
// and termination reasons), step errors or probe details, and never key material.
import type { ComplianceWatchEvent, KeyRingEvent, ShredTrigger, TenantEvent, ViolationDetail } from '@lethe/domain';
import { integrationEventId } from '../contract/integration-event-id.js';
import { SCHEMA_VERSION, type IntegrationEvent, type IntegrationEventType, type IntegrationPayloads, type ShredTriggerRef, type ViolationDetailV1 } from '../contract/integration-event.js';

/** A stored domain event of a tenant's streams, with the facts the envelope needs. */
export type StoredTenantEvent = (TenantEvent | KeyRingEvent | ComplianceWatchEvent) & {
  /** The domain event's id (unique in the log). */
  readonly id: string;
  readonly tenantId: string;
  /** Its global log position. */
  readonly position: bigint;
};

/** Where a tenant's deletion certificate is fetched (the API's own route). */
export const certificateHref = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}/deletion-certificate`;

/** The domain event types the mapping reads: the outbox processor follows exactly these. */
export const MAPPED_TENANT_EVENTS = ['TenantOnboarded', 'ShredScheduled', 'ShredAdvanced', 'ShredCancelled', 'KeyDestroyed', 'DeletionCertificateIssued', 'ShredVerificationFailed', 'ShredDeadlineBreached'] as const;
export const MAPPED_KEY_RING_EVENTS = ['KeyVersionAdded', 'DatabaseReprotected', 'DatabaseRotationOverdue', 'KeyVersionRetired', 'BackupRecorded', 'KeyVersionEnabled', 'KeyVersionDestroyed'] as const;
export const MAPPED_COMPLIANCE_EVENTS = ['ComplianceViolationOpened', 'ComplianceViolationClosed'] as const;

/** A trigger without the free text a caller typed (a termination's reason). */
function triggerRef(t: ShredTrigger): ShredTriggerRef {
  return t.kind === 'termination' ? { kind: t.kind, terminationId: t.terminationId, contractId: t.contractId } : { kind: t.kind, requestId: t.requestId };
}

/** A violation's detail as schema version 1 publishes it (copied field by field: a new domain field is not published by accident). */
function violationDetail(d: ViolationDetail): ViolationDetailV1 {
  switch (d.problem) {
    case 'key-version-too-old':
      return { problem: d.problem, keyCustody: d.keyCustody, keyVersionId: d.keyVersionId, createdAt: d.createdAt, limitDays: d.limitDays };
    case 'databases-not-reprotected':
      return { problem: d.problem, keyVersionId: d.keyVersionId, databaseIds: [...d.databaseIds] };
    case 'kept-after-retain-until':
      return { problem: d.problem, keyVersionId: d.keyVersionId, retainUntil: d.retainUntil };
    case 'backup-needs-retired-key-version':
      return { problem: d.problem, backupId: d.backupId, keyVersionIds: [...d.keyVersionIds], expiresAt: d.expiresAt };
  }
}

/** The integration event a stored domain event becomes, or undefined when it is not published. */
export function toIntegrationEvent(event: StoredTenantEvent): IntegrationEvent | undefined {
  const make = <T extends IntegrationEventType>(type: T, time: string, data: IntegrationPayloads[T]): IntegrationEvent =>
    ({
      id: integrationEventId(event.id, type),
      type,
      schemaVersion: SCHEMA_VERSION,
      time,
      tenantId: event.tenantId,
      position: event.position.toString(),
      data,
    }) as IntegrationEvent;
  switch (event.type) {
    case 'TenantOnboarded': {
      const d = event.data;
      return make('tenant.onboarded', d.at, {
        jurisdiction: d.jurisdiction,
        timeZone: d.timeZone,
        keyCustody: d.keyCustody,
        backupKeyMode: d.backupKeyMode,
        databaseIds: d.databases.map((db) => db.databaseId),
        rotationPeriodDays: d.rotationPeriodDays,
        pitrRetentionDays: d.pitrRetentionDays,
        shredGraceWorkingDays: d.shredGraceWorkingDays,
      });
    }
    case 'KeyVersionAdded':
      return make('key.version-added', event.data.at, { keyVersionId: event.data.keyVersionId, source: event.data.source, createdAt: event.data.createdAt });
    case 'DatabaseReprotected':
      return make('key.database-reprotected', event.data.at, {
        databaseId: event.data.databaseId,
        fromKeyVersionId: event.data.fromKeyVersionId,
        toKeyVersionId: event.data.toKeyVersionId,
      });
    case 'DatabaseRotationOverdue':
      return make('key.reprotection-overdue', event.data.at, { databaseId: event.data.databaseId, keyVersionId: event.data.keyVersionId, dueBy: event.data.dueBy });
    case 'KeyVersionRetired':
      return make('key.version-retired', event.data.at, { keyVersionId: event.data.keyVersionId, retainUntil: event.data.retainUntil });
    // break-glass `key-version.enable`
    case 'KeyVersionEnabled':
      return make('key.version-enabled', event.data.at, { keyVersionId: event.data.keyVersionId, enabledUntil: event.data.until, grantId: event.data.grantId });
    case 'KeyVersionDestroyed':
      return make('key.version-destroyed', event.data.at, { keyVersionId: event.data.keyVersionId });
    case 'BackupRecorded': {
      const d = event.data;
      if (d.unrestorable === null) return undefined;
      return make('backup.unrestorable', d.at, {
        backupId: d.backupId,
        databaseId: d.databaseId,
        backupKind: d.kind,
        reason: d.unrestorable.reason,
        retiredKeyVersionIds: [...d.unrestorable.keyVersionIds],
        expiresAt: d.expiresAt,
      });
    }
    case 'ShredScheduled': {
      const d = event.data;
      return make('shred.scheduled', d.receivedAt, { shredId: d.shredId, trigger: triggerRef(d.trigger), effectiveAt: d.effectiveAt, deadline: d.deadline, executeAt: d.executeAt });
    }
    // An earlier trigger moved the shred's deadline or execution earlier.
    case 'ShredAdvanced': {
      const d = event.data;
      return make('shred.rescheduled', d.at, {
        shredId: d.shredId,
        trigger: triggerRef(d.trigger),
        deadline: d.deadline,
        executeAt: d.executeAt,
        previousDeadline: d.previousDeadline,
        previousExecuteAt: d.previousExecuteAt,
      });
    }
    case 'ShredCancelled':
      return make('shred.cancelled', event.data.at, { shredId: event.data.shredId });
    case 'KeyDestroyed':
      return make('shred.executed', event.data.at, {
        shredId: event.data.shredId,
        keyId: event.data.keyId,
        keyVersions: event.data.versions.map((v) => ({ keyVersionId: v.keyVersionId, unusableAt: v.unusableAt })),
      });
    // Published once the certificate exists, so the consumer can fetch it at once (ShredVerified
    // precedes the certificate by one processor step).
    case 'DeletionCertificateIssued':
      return make('shred.verified', event.data.at, {
        shredId: event.data.shredId,
        certificate: { id: event.data.certificateId, sha256: event.data.sha256, signingKeyId: event.data.keyId, href: certificateHref(event.tenantId) },
      });
    case 'ShredVerificationFailed':
      return make('shred.verification-failed', event.data.at, {
        shredId: event.data.shredId,
        attempt: event.data.attempt,
        readableDatabaseIds: [...event.data.readableDatabases],
      });
    case 'ShredDeadlineBreached':
      return make('shred.deadline-breached', event.data.at, { shredId: event.data.shredId, cause: event.data.cause, deadline: event.data.deadline });
    // ---- compliance-<id>: a promise seen broken, and no longer ------------------------------------
    case 'ComplianceViolationOpened': {
      const d = event.data;
      return make('compliance.violation-opened', d.at, { promise: d.promise, violationId: d.violationId, openedAt: d.at, detail: violationDetail(d.detail) });
    }
    case 'ComplianceViolationClosed': {
      const d = event.data;
      return make('compliance.violation-closed', d.at, { promise: d.promise, violationId: d.violationId, openedAt: d.openedAt, closedAt: d.at });
    }
    default:
      return undefined;
  }
}

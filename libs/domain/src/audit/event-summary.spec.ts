// Given a stored event of the domain, when it is summarised for the audit trail, then one line that
// says what happened with ids, counts and instants only, and the instant the event records.
import type { CalendarInputs } from '../shared/working-days.js';
import { breakGlassCategory, complianceCategory, contractCategory, keyRingCategory, tenantCategory, calendarCategory } from '../streams.js';
import { describeEvent, describeForeignEvent, isLetheEventType, type LetheEvent } from './event-summary.js';

const AT = '2027-01-04T09:00:00.000Z';
const LATER = '2027-01-11T23:59:59.999Z';
const CALENDAR: CalendarInputs = { jurisdiction: 'GB-ENG', timeZone: 'Europe/London', excludedHolidayTypes: ['public'], partialHolidays: 'working' };
const SECRET = 'John Smith <john@example.com> wrapped=AAECAwQFBgcICQ';
const termination = { kind: 'termination', terminationId: 't-1', contractId: 'c-1', reason: SECRET } as const;

/** One event of every type the domain writes: a Record, so a new type without an example does not compile. */
const EXAMPLES: { readonly [T in LetheEvent['type']]: Extract<LetheEvent, { type: T }> } = {
  TenantOnboarded: {
    type: 'TenantOnboarded',
    data: {
      tenantId: 'acme', jurisdiction: 'GB-ENG', timeZone: 'Europe/London', excludedHolidayTypes: ['public'], partialHolidays: 'working',
      keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }], shredGraceWorkingDays: 2,
      rotationPeriodDays: 365, pitrRetentionDays: 35, at: AT,
    },
  },
  DeletionRequested: { type: 'DeletionRequested', data: { requestId: 'r-1', requestedAt: AT, receivedAt: AT } },
  ShredScheduled: {
    type: 'ShredScheduled',
    data: { shredId: 'termination:t-1', trigger: termination, effectiveAt: AT, receivedAt: AT, deadline: LATER, executeAt: LATER, deletionWorkingDays: 5, graceWorkingDays: 2, calendar: CALENDAR },
  },
  ShredTriggerRecorded: {
    type: 'ShredTriggerRecorded',
    data: { trigger: { kind: 'deletion-request', requestId: 'r-2' }, effectiveAt: AT, receivedAt: AT, disposition: 'already-scheduled', shredId: 'termination:t-1', at: AT },
  },
  ShredAdvanced: {
    type: 'ShredAdvanced',
    data: { shredId: 'termination:t-1', trigger: termination, effectiveAt: AT, receivedAt: AT, deadline: AT, executeAt: AT, previousDeadline: LATER, previousExecuteAt: LATER, calendar: CALENDAR, at: AT },
  },
  ShredExecutionForced: { type: 'ShredExecutionForced', data: { shredId: 'termination:t-1', executeAt: AT, previousExecuteAt: AT, grantId: '3f0c9a57-2d1e-4b6a-9c8d-7e6f5a4b3c2d', at: AT } },
  ShredCancelled: { type: 'ShredCancelled', data: { shredId: 'termination:t-1', reason: SECRET, withdrawsContractRevision: 0, at: AT } },
  ShredExecutionStarted: { type: 'ShredExecutionStarted', data: { shredId: 'termination:t-1', at: AT } },
  KeyDestroyed: {
    type: 'KeyDestroyed',
    data: {
      shredId: 'termination:t-1',
      keyId: 'key-1',
      versions: [
        { keyVersionId: 'kv-1', unusableAt: AT, purgedAt: AT, purgeExpectedAt: null },
        { keyVersionId: 'kv-2', unusableAt: AT, purgedAt: null, purgeExpectedAt: LATER },
      ],
      at: AT,
    },
  },
  KeyMaterialPurged: { type: 'KeyMaterialPurged', data: { shredId: 'termination:t-1', keyId: 'key-1', versions: [{ keyVersionId: 'kv-2', purgedAt: LATER }], at: LATER } },
  AssetsPurged: { type: 'AssetsPurged', data: { shredId: 'termination:t-1', assets: [{ kind: 'backup', id: 'b-9', purgedAt: AT }, { kind: 'staging', id: 's-1', purgedAt: AT }], at: AT } },
  ShredStepFailed: { type: 'ShredStepFailed', data: { shredId: 'termination:t-1', step: 'destroy-keys', failure: 2, error: `VaultError: ${SECRET}`, at: AT } },
  ShredProbeRecorded: {
    type: 'ShredProbeRecorded',
    data: {
      shredId: 'termination:t-1', attempt: 1, outcome: 'key-destroyed',
      results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: SECRET }, { databaseId: 'db-2', outcome: 'key-destroyed', detail: SECRET }], at: AT,
    },
  },
  ShredVerified: { type: 'ShredVerified', data: { shredId: 'termination:t-1', attempt: 1, at: AT } },
  ShredVerificationFailed: { type: 'ShredVerificationFailed', data: { shredId: 'termination:t-1', attempt: 1, readableDatabases: ['db-2'], at: AT } },
  ShredDeadlineBreached: { type: 'ShredDeadlineBreached', data: { shredId: 'termination:t-1', cause: 'not-verified-by-deadline', deadline: LATER, at: LATER } },
  DeletionCertificateIssued: { type: 'DeletionCertificateIssued', data: { shredId: 'termination:t-1', certificateId: 'dc-1', sha256: 'ab'.repeat(32), keyId: 'sk-1', at: AT } },
  KeyRingOpened: {
    type: 'KeyRingOpened',
    data: { tenantId: 'acme', keyId: 'key-1', keyCustody: 'client', rotationPeriodDays: 90, pitrRetentionDays: 7, version: { keyVersionId: 'kv-1', createdAt: AT }, databases: ['db-1'], at: AT },
  },
  KeyVersionAdded: { type: 'KeyVersionAdded', data: { keyVersionId: 'kv-3', source: 'policy', createdAt: AT, at: AT } },
  DatabaseReprotected: { type: 'DatabaseReprotected', data: { databaseId: 'db-1', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-2', at: AT } },
  DatabaseAdded: { type: 'DatabaseAdded', data: { databaseId: 'db-3', keyVersionId: 'kv-2', at: AT } },
  DatabaseRotationOverdue: { type: 'DatabaseRotationOverdue', data: { databaseId: 'db-1', keyVersionId: 'kv-2', dueBy: AT, at: AT } },
  RotationPeriodChanged: { type: 'RotationPeriodChanged', data: { rotationPeriodDays: 1, at: AT } },
  BackupPolicyChanged: { type: 'BackupPolicyChanged', data: { pitrRetentionDays: 7, at: AT } },
  KeyRotationDue: { type: 'KeyRotationDue', data: { keyVersionId: 'kv-1', dueAt: AT, at: AT } },
  BackupRecorded: {
    type: 'BackupRecorded',
    data: {
      backupId: 'b-1', databaseId: 'db-1', kind: 'full', coveredFrom: AT, takenAt: AT, expiresAt: LATER, protection: 'customer-key',
      keyVersionIds: ['kv-1', 'kv-2'], restoreKeyVersionId: 'kv-2', unrestorable: { reason: 'key-version-retired', keyVersionIds: ['kv-1'] }, at: AT,
    },
  },
  BackupRetentionChanged: { type: 'BackupRetentionChanged', data: { backupId: 'b-1', expiresAt: LATER, at: AT } },
  BackupDeleted: { type: 'BackupDeleted', data: { backupId: 'b-1', at: AT } },
  StagingAssetRegistered: { type: 'StagingAssetRegistered', data: { assetId: 'export-1', expiresAt: null, at: AT } },
  KeyVersionRetired: { type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: AT, at: AT, destroyAt: AT } },
  KeyVersionDestroyed: { type: 'KeyVersionDestroyed', data: { keyVersionId: 'kv-1', at: AT } },
  KeyRingDestroyed: { type: 'KeyRingDestroyed', data: { at: AT } },
  KeyVersionEnabled: { type: 'KeyVersionEnabled', data: { keyVersionId: 'kv-1', until: AT, grantId: 'bg-1', at: AT } },
  ContractTerminated: { type: 'ContractTerminated', data: { terminationId: 't-1', contractId: 'c-1', effectiveAt: AT, reason: SECRET } },
  ContractEventRejected: { type: 'ContractEventRejected', data: { eventId: 'e-1', eventType: 'ContractTerminated', revision: 3, errors: [{ field: 'data.effectiveAt', rule: 'must be an instant' }], at: AT } },
  CalendarOverrideDeclared: {
    type: 'CalendarOverrideDeclared',
    data: { overrideId: 'GB-ENG:2027-01-04:1', jurisdiction: 'GB-ENG', date: '2027-01-04', kind: 'off', reason: SECRET, replaces: null, by: { role: 'operator', subject: SECRET }, at: AT },
  },
  CalendarOverrideWithdrawn: { type: 'CalendarOverrideWithdrawn', data: { overrideId: 'GB-ENG:2027-01-04:1', jurisdiction: 'GB-ENG', date: '2027-01-04', by: { role: 'operator', subject: SECRET }, at: AT } },
  ComplianceViolationOpened: {
    type: 'ComplianceViolationOpened',
    data: { tenantId: 'acme', promise: 'P2', violationId: 'P2:acme:kv-3', detail: { problem: 'databases-not-reprotected', keyVersionId: 'kv-3', databaseIds: ['db-1', 'db-2'] }, at: AT },
  },
  ComplianceViolationClosed: { type: 'ComplianceViolationClosed', data: { tenantId: 'acme', promise: 'P2', violationId: 'P2:acme:kv-3', openedAt: AT, at: LATER } },
  BreakGlassRequested: {
    type: 'BreakGlassRequested',
    data: { grantId: 'g-1', requestedBy: 'olga', taskRef: SECRET, reason: SECRET, scope: { tenantIds: ['acme'], operations: ['probe.read', 'shred.execute-now'] }, durationMinutes: 60, approvalsRequired: 2, at: AT },
  },
  BreakGlassApproved: { type: 'BreakGlassApproved', data: { grantId: 'g-1', approver: 'ann', at: AT } },
  BreakGlassActivated: { type: 'BreakGlassActivated', data: { grantId: 'g-1', activeFrom: AT, expiresAt: LATER, at: AT } },
  BreakGlassRevoked: { type: 'BreakGlassRevoked', data: { grantId: 'g-1', by: 'ann', at: AT } },
  BreakGlassExpired: { type: 'BreakGlassExpired', data: { grantId: 'g-1', at: AT } },
  BreakGlassUsed: { type: 'BreakGlassUsed', data: { grantId: 'g-1', by: 'olga', operation: 'probe.read', tenantId: 'acme', at: AT } },
  BreakGlassUseRefused: { type: 'BreakGlassUseRefused', data: { grantId: null, by: 'oscar', operation: 'shred.execute-now', tenantId: 'acme', reason: 'no-grant', at: AT } },
};

const every = Object.values(EXAMPLES) as LetheEvent[];

describe('event summaries (audit trail, P6)', () => {
  it('given any event type the domain writes, when summarised, then one non-empty line without a newline', () => {
    const types = [...tenantCategory.types, ...keyRingCategory.types, ...contractCategory.types, ...calendarCategory.types, ...complianceCategory.types, ...breakGlassCategory.types];
    expect(new Set(every.map((e) => e.type))).toEqual(new Set(types));
    for (const event of every) {
      const { summary } = describeEvent(event);
      expect(summary.length).toBeGreaterThan(10);
      expect(summary).not.toMatch(/[\r\n]|undefined|null|\[object/);
    }
  });

  it('given events carrying free text (reasons, errors, probe details, who declared), when summarised, then none of it appears', () => {
    for (const event of every) expect(describeEvent(event).summary).not.toContain('John');
    for (const event of every) expect(describeEvent(event).summary).not.toContain('wrapped=');
  });

  it('given a key destroyed by a vault that purges later, when summarised, then it says when the rest is purged; and when it is', () => {
    expect(describeEvent(EXAMPLES.KeyDestroyed).summary).toBe(
      'Tenant key destroyed in the vault: 2 key versions unusable, 1 purged; the rest purged by 2027-01-11T23:59:59.999Z',
    );
    expect(describeEvent(EXAMPLES.KeyMaterialPurged)).toEqual({ summary: 'Key material purged from the vault: 1 key version gone for good', at: LATER });
  });

  it('given a new key version, when summarised, then it names the version and how it came', () => {
    expect(describeEvent(EXAMPLES.KeyVersionAdded)).toEqual({ summary: 'Key version kv-3 created (policy)', at: AT });
  });

  it('given a compliance violation opening and closing, when summarised, then it names the promise, the violation and what is broken', () => {
    expect(describeEvent(EXAMPLES.ComplianceViolationOpened)).toEqual({
      summary: 'P2 violation P2:acme:kv-3 opened: 2 databases not on key version kv-3 24 hours after it appeared',
      at: AT,
    });
    expect(describeEvent(EXAMPLES.ComplianceViolationClosed)).toEqual({ summary: `P2 violation P2:acme:kv-3 closed (open since ${AT})`, at: LATER });
  });

  it('given a probe, when summarised, then it counts the databases found unreadable', () => {
    expect(describeEvent(EXAMPLES.ShredProbeRecorded).summary).toBe('Read probe 1 of shred termination:t-1: key-destroyed (2 of 2 databases unreadable)');
  });

  it('given a backup recorded after a version it needs was retired, when summarised, then it says it is not restorable', () => {
    expect(describeEvent(EXAMPLES.BackupRecorded).summary).toBe(
      'Backup b-1 recorded (full of database db-1, customer-key, needs 2 key versions, expires 2027-01-11T23:59:59.999Z); not restorable: 1 key version it needs already retired',
    );
  });

  it('given a backup kept past the maximum retention under a break-glass grant, when summarised, then it names the grant', () => {
    const grantId = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
    const recorded = { ...EXAMPLES.BackupRecorded, data: { ...EXAMPLES.BackupRecorded.data, unrestorable: null, grantId } };
    expect(describeEvent(recorded).summary).toBe(
      `Backup b-1 recorded (full of database db-1, customer-key, needs 2 key versions, expires 2027-01-11T23:59:59.999Z); kept past the maximum retention under break-glass grant ${grantId}`,
    );
    expect(describeEvent({ type: 'BackupRetentionChanged', data: { backupId: 'b-1', expiresAt: LATER, grantId, at: AT } }).summary).toBe(
      `Backup b-1 now expires 2027-01-11T23:59:59.999Z; kept past the maximum retention under break-glass grant ${grantId}`,
    );
    expect(describeEvent(EXAMPLES.BackupRetentionChanged).summary).toBe('Backup b-1 now expires 2027-01-11T23:59:59.999Z');
  });

  it('given a privileged call refused for want of a grant, when summarised, then it says who was refused what and why', () => {
    expect(describeEvent(EXAMPLES.BreakGlassUseRefused)).toEqual({
      summary: 'Privileged shred.execute-now on tenant acme by oscar refused (no-grant): it named no break-glass grant',
      at: AT,
    });
    const outOfScope = { type: 'BreakGlassUseRefused', data: { ...EXAMPLES.BreakGlassUseRefused.data, grantId: 'g-1', reason: 'tenant-out-of-scope' } } as const;
    expect(describeEvent(outOfScope).summary).toBe("Privileged shred.execute-now on tenant acme by oscar refused (tenant-out-of-scope): the grant's scope does not include this tenant (grant g-1)");
  });

  it('given a trigger that joined a scheduled shred, when summarised, then it names the trigger and the shred', () => {
    expect(describeEvent(EXAMPLES.ShredTriggerRecorded).summary).toBe('Deletion request r-2 recorded: joined the scheduled shred termination:t-1');
  });

  it('given events with and without an instant of their own, when summarised, then `at` is the recorded instant, the receipt, or null', () => {
    expect(describeEvent(EXAMPLES.KeyVersionRetired).at).toBe(AT);
    expect(describeEvent(EXAMPLES.ShredScheduled).at).toBe(AT);
    expect(describeEvent(EXAMPLES.DeletionRequested).at).toBe(AT);
    expect(describeEvent(EXAMPLES.ContractTerminated).at).toBeNull();
  });

  it('given a termination a contract system appended with bad data, when summarised, then nothing it sent is echoed', () => {
    const forged = { type: 'ContractTerminated', data: { terminationId: SECRET, contractId: 'c-1', effectiveAt: 'soon' } } as unknown as LetheEvent;
    expect(describeEvent(forged)).toEqual({ summary: 'Contract termination with invalid data: never acted on', at: null });
    const rejected = { type: 'ContractEventRejected', data: { eventType: SECRET, errors: 'x', revision: 'y', at: 'z' } } as unknown as LetheEvent;
    expect(describeEvent(rejected)).toEqual({ summary: 'Contract event rejected: 0 rules broken; it triggers nothing', at: null });
  });

  it('given a type the domain does not write, when asked, then it is not one of its types and gets the foreign summary', () => {
    expect(isLetheEventType('KeyVersionAdded')).toBe(true);
    expect(isLetheEventType('CustomerNotified')).toBe(false);
    expect(isLetheEventType('toString')).toBe(false);
    expect(describeForeignEvent()).toEqual({ summary: 'An event of a type Lethe does not know: recorded, never acted on', at: null });
  });
});

// One stored domain event per published type, as the log holds them: the mapping specs and the
// docs/events.md check share them, so every documented example is what the mapping really produces.
import type { StoredTenantEvent } from './to-integration-event.js';

const tenantId = 'acme-eu';
let position = 100n;
const stored = (id: string, event: Omit<StoredTenantEvent, 'id' | 'tenantId' | 'position'>): StoredTenantEvent =>
  ({ ...event, id, tenantId, position: position++ }) as StoredTenantEvent;

export const SAMPLE_TENANT_ID = tenantId;

export const SAMPLES: readonly StoredTenantEvent[] = [
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000001', {
    type: 'TenantOnboarded',
    data: {
      tenantId,
      jurisdiction: 'DE-BY',
      timeZone: 'Europe/Berlin',
      excludedHolidayTypes: [],
      partialHolidays: 'working',
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      databases: [{ databaseId: 'db-orders' }, { databaseId: 'db-billing' }],
      shredGraceWorkingDays: 2,
      rotationPeriodDays: 365,
      pitrRetentionDays: 35,
      at: '2027-03-01T09:00:00.000Z',
    },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000002', {
    type: 'KeyVersionAdded',
    data: { keyVersionId: 'kv-2', source: 'policy', createdAt: '2028-02-28T09:00:00.000Z', at: '2028-02-28T09:00:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000003', {
    type: 'DatabaseReprotected',
    data: { databaseId: 'db-orders', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-2', at: '2028-02-28T09:05:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000004', {
    type: 'DatabaseRotationOverdue',
    data: { databaseId: 'db-billing', keyVersionId: 'kv-1', dueBy: '2028-03-29T09:00:00.000Z', at: '2028-03-29T09:00:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000005', {
    type: 'KeyVersionRetired',
    data: { keyVersionId: 'kv-1', retainUntil: '2028-05-03T09:05:00.000Z', at: '2028-04-02T09:00:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000006', {
    type: 'BackupRecorded',
    data: {
      backupId: 'bk-77',
      databaseId: 'db-billing',
      kind: 'full',
      coveredFrom: '2028-03-01T00:00:00.000Z',
      takenAt: '2028-04-03T00:00:00.000Z',
      expiresAt: '2028-07-03T00:00:00.000Z',
      protection: 'customer-key',
      keyVersionIds: ['kv-1', 'kv-2'],
      restoreKeyVersionId: 'kv-2',
      unrestorable: { reason: 'key-version-retired', keyVersionIds: ['kv-1'] },
      at: '2028-04-03T08:00:00.000Z',
    },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000007', {
    type: 'ShredScheduled',
    data: {
      shredId: 'shred-1',
      trigger: { kind: 'termination', terminationId: 'term-9', contractId: 'c-42', reason: 'customer left' },
      effectiveAt: '2028-06-01T00:00:00.000Z',
      receivedAt: '2028-05-30T10:00:00.000Z',
      deadline: '2028-06-08T00:00:00.000Z',
      executeAt: '2028-06-06T00:00:00.000Z',
      deletionWorkingDays: 5,
      graceWorkingDays: 2,
      calendar: { jurisdiction: 'DE-BY', timeZone: 'Europe/Berlin', excludedHolidayTypes: [], partialHolidays: 'working' },
    },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f0000000d', {
    type: 'ShredAdvanced',
    data: {
      shredId: 'shred-1',
      trigger: { kind: 'deletion-request', requestId: 'dr-5', requestedAt: '2028-05-30T12:00:00.000Z' },
      effectiveAt: '2028-05-30T12:00:00.000Z',
      receivedAt: '2028-05-30T12:05:00.000Z',
      deadline: '2028-06-06T12:00:00.000Z',
      executeAt: '2028-06-04T12:00:00.000Z',
      previousDeadline: '2028-06-08T00:00:00.000Z',
      previousExecuteAt: '2028-06-06T00:00:00.000Z',
      calendar: { jurisdiction: 'DE-BY', timeZone: 'Europe/Berlin', excludedHolidayTypes: [], partialHolidays: 'working' },
      at: '2028-05-30T12:05:00.000Z',
    },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000008', {
    type: 'ShredCancelled',
    data: { shredId: 'shred-1', reason: 'termination withdrawn by phone', withdrawsContractRevision: 0, at: '2028-05-31T10:00:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f00000009', {
    type: 'KeyDestroyed',
    data: {
      shredId: 'shred-2',
      keyId: 'tenant-acme-eu',
      versions: [
        { keyVersionId: 'kv-2', unusableAt: '2028-07-06T00:00:01.000Z', purgedAt: null, purgeExpectedAt: '2028-10-04T00:00:01.000Z' },
      ],
      at: '2028-07-06T00:00:01.000Z',
    },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f0000000a', {
    type: 'ShredVerificationFailed',
    data: { shredId: 'shred-2', attempt: 1, readableDatabases: ['db-orders'], at: '2028-07-06T00:10:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f0000000b', {
    type: 'DeletionCertificateIssued',
    data: {
      shredId: 'shred-2',
      certificateId: 'dc-6f1c0a3e-2b7d-8c4f-9a1e-3d5b7c9e1f20',
      sha256: '3b7e0c2f9a1d4e5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3',
      keyId: 'signing-2028-01',
      at: '2028-07-06T01:00:00.000Z',
    },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f0000000c', {
    type: 'ShredDeadlineBreached',
    data: { shredId: 'shred-2', cause: 'not-verified-by-deadline', deadline: '2028-07-08T00:00:00.000Z', at: '2028-07-08T00:00:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f0000000d', {
    type: 'ComplianceViolationOpened',
    data: {
      tenantId,
      promise: 'P2',
      violationId: 'P2:acme-eu:kv-2',
      detail: { problem: 'databases-not-reprotected', keyVersionId: 'kv-2', databaseIds: ['db-billing'] },
      at: '2028-02-29T09:00:00.001Z',
    },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f0000000e', {
    type: 'ComplianceViolationClosed',
    data: { tenantId, promise: 'P2', violationId: 'P2:acme-eu:kv-2', openedAt: '2028-02-29T09:00:00.001Z', at: '2028-03-01T10:30:00.000Z' },
  }),
  // Last, so the positions of the samples above stay as published.
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f000000e1', {
    type: 'KeyVersionEnabled',
    data: { keyVersionId: 'kv-1', until: '2028-06-01T13:00:00.000Z', grantId: '3f0c9a57-2d1e-4b6a-9c8d-7e6f5a4b3c2d', at: '2028-06-01T11:00:00.000Z' },
  }),
  stored('0b3c2f0e-4f6a-4c55-9d5e-6a1f000000e2', {
    type: 'KeyVersionDestroyed',
    data: { keyVersionId: 'kv-1', at: '2028-06-08T13:00:00.000Z' },
  }),
];

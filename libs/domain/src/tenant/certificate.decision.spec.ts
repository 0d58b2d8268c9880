import { specFor } from '../shared/given-when-then.js';
import type { RecordCertificateIssued } from './tenant.commands.js';
import { tenantDecider, type TenantContext } from './tenant.decider.js';
import type { TenantEvent } from './tenant.events.js';

const ctx = (): TenantContext => ({ now: new Date('2027-01-01T00:00:00.000Z'), calendar: { deadlineOf: () => ({ deadline: new Date(0), weekends: [], overrideIds: [], countedDays: [] }) as never } });
const given = specFor(tenantDecider, ctx);
const shredId = 'termination:t-1';
const at = '2026-12-30T12:00:00.000Z';

const history: TenantEvent[] = [
  {
    type: 'TenantOnboarded',
    data: {
      tenantId: 'acme',
      jurisdiction: 'GB',
      timeZone: 'Europe/London',
      excludedHolidayTypes: [],
      partialHolidays: 'working',
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      rotationPeriodDays: 365,
      pitrRetentionDays: 35,
      databases: [{ databaseId: 'db-1' }],
      shredGraceWorkingDays: 0,
      at,
    },
  },
  {
    type: 'ShredScheduled',
    data: {
      shredId,
      trigger: { kind: 'termination', terminationId: 't-1', contractId: 'c-1' },
      effectiveAt: at,
      receivedAt: at,
      deadline: at,
      executeAt: at,
      deletionWorkingDays: 5,
      graceWorkingDays: 0,
      calendar: { jurisdiction: 'GB', timeZone: 'Europe/London', excludedHolidayTypes: [] },
    },
  },
  { type: 'ShredExecutionStarted', data: { shredId, at } },
  { type: 'KeyDestroyed', data: { shredId, keyId: 'k', versions: [], at } },
  { type: 'AssetsPurged', data: { shredId, assets: [], at } },
  { type: 'ShredProbeRecorded', data: { shredId, attempt: 1, outcome: 'key-destroyed', results: [], at } },
];
const verified: TenantEvent[] = [...history, { type: 'ShredVerified', data: { shredId, attempt: 1, at } }];

const record = (over: Partial<RecordCertificateIssued['data']> = {}): RecordCertificateIssued => ({
  type: 'RecordCertificateIssued',
  data: { shredId, certificateId: 'c-1', sha256: 'a'.repeat(64), keyId: 'key-1', issuedAt: '2026-12-30T12:00:01.000Z', ...over },
});

describe('tenant decider: deletion certificate issuance', () => {
  it('records the issuance of a verified shred with its hash and signing key id', () => {
    given(verified)
      .when(record())
      .then([
        { type: 'DeletionCertificateIssued', data: { shredId, certificateId: 'c-1', sha256: 'a'.repeat(64), keyId: 'key-1', at: '2026-12-30T12:00:01.000Z' } },
      ]);
  });

  it('records one certificate per shred: a second issuance, even with other bytes, records nothing', () => {
    const issued = given(verified).when(record()).produced();
    given([...verified, ...issued]).when(record({ certificateId: 'c-2', sha256: 'b'.repeat(64), keyId: 'key-2' })).thenNothing();
    expect(given([...verified, ...issued]).state.shred?.certificate).toEqual({
      certificateId: 'c-1',
      sha256: 'a'.repeat(64),
      keyId: 'key-1',
      issuedAt: '2026-12-30T12:00:01.000Z',
    });
  });

  it('refuses before verification, for another shred, and with a malformed hash', () => {
    given(history).when(record()).thenRejects('shred-not-verified');
    given(verified).when(record({ shredId: 'termination:other' })).thenRejects('shred-not-found');
    given(verified).when(record({ sha256: 'XYZ' })).thenRejects('invalid-certificate-hash');
  });
});

// Given an event stored in an older shape, when it is read, then the deciders see the current shape.
import { DEFAULT_PITR_RETENTION_DAYS } from './promises.js';
import { evolveKeyRing, initialKeyRingState } from './keys/key-ring.state.js';
import type { KeyRingEvent } from './keys/key-ring.events.js';
import { schemaVersionOf, upcastEvent } from './event-upcasters.js';
import { Upcasters } from './shared/upcasting.js';
import { evolveTenant, initialTenantState } from './tenant/tenant.state.js';
import type { TenantEvent } from './tenant/tenant.events.js';

const at = '2025-03-01T09:00:00.000Z';
const v1 = { schemaVersion: 1 };

/** TenantOnboarded as stored before calendar v2 and the key ring's policies. */
const onboardedV1 = {
  tenantId: 'acme',
  jurisdiction: 'DE-BY',
  timeZone: 'Europe/Berlin',
  excludedHolidayTypes: ['public', 'bank'],
  keyCustody: 'managed',
  backupKeyMode: 'customer',
  databases: [{ databaseId: 'db-1' }],
  shredGraceWorkingDays: 2,
  at,
};

describe('upcasting: TenantOnboarded', () => {
  it('given a v1 event without partialHolidays or policies, when read, then it has the defaults of that time', () => {
    const read = upcastEvent({ type: 'TenantOnboarded', data: onboardedV1, metadata: v1 });
    expect(read.data).toEqual({ ...onboardedV1, partialHolidays: 'working', rotationPeriodDays: 365, pitrRetentionDays: 35 });
    const state = evolveTenant(initialTenantState, read as unknown as TenantEvent);
    expect(state.partialHolidays).toBe('working');
    expect(state.profile).toMatchObject({ rotationPeriodDays: 365, pitrRetentionDays: 35, partialHolidays: 'working' });
  });

  it('given a v1 event that already has the fields (written after they were added), when read, then they are kept', () => {
    const data = { ...onboardedV1, partialHolidays: 'off', rotationPeriodDays: 90, pitrRetentionDays: 7 };
    expect(upcastEvent({ type: 'TenantOnboarded', data, metadata: v1 }).data).toEqual(data);
  });

  it('given an event without a schema version (appended from outside), when read, then it is read as v1', () => {
    expect(upcastEvent({ type: 'TenantOnboarded', data: onboardedV1, metadata: {} }).data).toMatchObject({ partialHolidays: 'working' });
  });

  it('given a current event, when read, then it comes back as stored', () => {
    const event = { type: 'TenantOnboarded', data: { ...onboardedV1 }, metadata: { schemaVersion: schemaVersionOf('TenantOnboarded') } };
    expect(upcastEvent(event)).toBe(event);
  });
});

describe('upcasting: KeyDestroyed', () => {
  it('given a v1 event, when read, then each version says no purge is expected (v1 knew none) and keeps its instants', () => {
    const data = {
      shredId: 'termination:t-1',
      keyId: 'vk-1',
      versions: [
        { keyVersionId: 'kv-1', unusableAt: at, purgedAt: at },
        { keyVersionId: 'kv-2', unusableAt: at, purgedAt: null },
      ],
      at,
    };
    const read = upcastEvent({ type: 'KeyDestroyed', data, metadata: v1 });
    expect(read.data).toEqual({ ...data, versions: data.versions.map((v) => ({ ...v, purgeExpectedAt: null })) });
    expect(schemaVersionOf('KeyDestroyed')).toBe(2);
  });
});

describe('upcasting: key ring events', () => {
  const openedV1 = {
    tenantId: 'acme',
    keyId: 'k-1',
    keyCustody: 'managed',
    rotationPeriodDays: 365,
    version: { keyVersionId: 'kv-1', createdAt: at },
    databases: ['db-1'],
    at,
  };

  it('given a KeyRingOpened from before the backup policy, when folded, then the ring has the default window', () => {
    const read = upcastEvent({ type: 'KeyRingOpened', data: openedV1, metadata: v1 });
    expect(read.data).toEqual({ ...openedV1, pitrRetentionDays: DEFAULT_PITR_RETENTION_DAYS });
    expect(evolveKeyRing(initialKeyRingState, read as KeyRingEvent).pitrRetentionDays).toBe(DEFAULT_PITR_RETENTION_DAYS);
  });

  it('given a BackupRecorded from before protections were told apart, when folded, then it is an unflagged customer-key backup', () => {
    const backupV1 = {
      backupId: 'b-1',
      databaseId: 'db-1',
      kind: 'full',
      coveredFrom: at,
      takenAt: at,
      expiresAt: '2025-04-01T00:00:00.000Z',
      keyVersionIds: ['kv-1'],
      restoreKeyVersionId: 'kv-1',
      at,
    };
    const opened = upcastEvent({ type: 'KeyRingOpened', data: openedV1, metadata: v1 }) as unknown as KeyRingEvent;
    const read = upcastEvent({ type: 'BackupRecorded', data: backupV1, metadata: v1 });
    expect(read.data).toEqual({ ...backupV1, protection: 'customer-key', unrestorable: null });
    const state = [opened, read as KeyRingEvent].reduce(evolveKeyRing, initialKeyRingState);
    expect(state.backups[0]).toMatchObject({ backupId: 'b-1', protection: 'customer-key', unrestorable: null, deletedAt: null });
  });

  it('stamps new events of a changed type with its current version, and others with version 1', () => {
    expect(schemaVersionOf('BackupRecorded')).toBe(2);
    expect(schemaVersionOf('KeyVersionAdded')).toBe(1);
  });
});

describe('upcasting: the registry', () => {
  it('runs every step from the stored version up, in order', () => {
    const upcasters = new Upcasters({
      Renamed: { current: 3, steps: { 1: (d) => ({ ...d, b: d.a }), 2: ({ a: _a, ...d }) => ({ ...d, c: 'added' }) } },
    });
    expect(upcasters.upcast({ type: 'Renamed', data: { a: 1 }, metadata: { schemaVersion: 1 } }).data).toEqual({ b: 1, c: 'added' });
    expect(upcasters.upcast({ type: 'Renamed', data: { b: 1 }, metadata: { schemaVersion: 2 } }).data).toEqual({ b: 1, c: 'added' });
  });

  it('refuses a registry with a missing step', () => {
    expect(() => new Upcasters({ Gap: { current: 3, steps: { 1: (d) => d } } })).toThrow('no step from version 2 to 3');
  });

  it('passes on an event written by a newer engine as stored', () => {
    const event = { type: 'TenantOnboarded', data: { future: true }, metadata: { schemaVersion: 9 } };
    expect(upcastEvent(event)).toBe(event);
  });
});

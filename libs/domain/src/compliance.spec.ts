// Given a key ring folded from its events, when compliance is judged at an instant, then the
// promises it breaks, with the numbers of promises.ts.
import { complianceOf } from './compliance.js';
import { keyRingFactsOf } from './keys/key-ring-facts.js';
import type { KeyRingEvent } from './keys/key-ring.events.js';
import { evolveKeyRing, initialKeyRingState } from './keys/key-ring.state.js';
import { MAX_KEY_VERSION_AGE_DAYS } from './promises.js';

const T0 = '2026-01-01T00:00:00.000Z';
const given = (...events: KeyRingEvent[]) => keyRingFactsOf(events.reduce(evolveKeyRing, initialKeyRingState));
const at = (iso: string) => new Date(iso);
const opened = (keyCustody: 'managed' | 'client' = 'managed', rotationPeriodDays = 90): KeyRingEvent => ({
  type: 'KeyRingOpened',
  data: { tenantId: 'acme', keyId: 'key-1', keyCustody, rotationPeriodDays, pitrRetentionDays: 7, version: { keyVersionId: 'kv-1', createdAt: T0 }, databases: ['db-1', 'db-2'], at: T0 },
});
const added = (keyVersionId: string, when: string): KeyRingEvent => ({ type: 'KeyVersionAdded', data: { keyVersionId, source: 'policy', createdAt: when, at: when } });
const reprotected = (databaseId: string, from: string, to: string, when: string): KeyRingEvent => ({
  type: 'DatabaseReprotected',
  data: { databaseId, fromKeyVersionId: from, toKeyVersionId: to, at: when },
});
const retired = (keyVersionId: string, retainUntil: string): KeyRingEvent => ({
  type: 'KeyVersionRetired',
  data: { keyVersionId, retainUntil, at: retainUntil, destroyAt: new Date(Date.parse(retainUntil) + 30 * 86_400_000).toISOString() },
});
const lateBackup = (backupId: string, expiresAt: string): KeyRingEvent => ({
  type: 'BackupRecorded',
  data: {
    backupId,
    databaseId: 'db-1',
    kind: 'full',
    coveredFrom: '2026-01-05T00:00:00.000Z',
    takenAt: '2026-01-05T00:00:00.000Z',
    expiresAt,
    protection: 'customer-key',
    keyVersionIds: ['kv-1'],
    restoreKeyVersionId: 'kv-1',
    unrestorable: { reason: 'key-version-retired', keyVersionIds: ['kv-1'] },
    at: '2026-03-01T00:00:00.000Z',
  },
});
const rotatedAndMoved = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-1', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-01T02:00:00.000Z')];

describe('compliance (P1–P3)', () => {
  it('given a fresh managed key, when judged within its period, then it breaks nothing', () => {
    expect(complianceOf(given(opened()), at('2026-03-31T23:59:59Z'))).toEqual({ P1: [], P2: [], P3: [] });
  });

  it('given a managed key, when judged at the end of its rotation period, then it breaks P1 with the period as the limit', () => {
    expect(complianceOf(given(opened()), at('2026-04-01T00:00:00Z')).P1).toEqual([
      { tenantId: 'acme', keyCustody: 'managed', newestKeyVersionId: 'kv-1', newestCreatedAt: T0, limitDays: 90 },
    ]);
  });

  it('given a client-held key, when judged after its period but before 2 years, then P1 holds; at 2 years it breaks', () => {
    expect(complianceOf(given(opened('client')), at('2027-12-31T23:59:59Z')).P1).toEqual([]);
    expect(complianceOf(given(opened('client')), at('2028-01-01T00:00:00Z')).P1).toEqual([expect.objectContaining({ keyCustody: 'client', limitDays: MAX_KEY_VERSION_AGE_DAYS })]);
  });

  it('given a new version and a database still on the old one, when judged 24 hours after the version appeared, then P2 names that database only after the 24 hours', () => {
    const ring = given(opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z'));
    expect(complianceOf(ring, at('2026-02-02T00:00:00Z')).P2).toEqual([]);
    expect(complianceOf(ring, at('2026-02-02T00:00:00.001Z')).P2).toEqual([{ tenantId: 'acme', keyVersionId: 'kv-2', databases: [{ databaseId: 'db-1', keyVersionId: 'kv-1' }] }]);
  });

  it('given a superseded version past its retainUntil, when judged within the timer slack, then P3 holds; after the slack it breaks', () => {
    // kv-1's last use ends Feb 1 02:00; the window is 7 days.
    const ring = given(...rotatedAndMoved);
    expect(complianceOf(ring, at('2026-02-08T03:00:00Z')).P3).toEqual([]);
    expect(complianceOf(ring, at('2026-02-08T03:00:00.001Z')).P3).toEqual([
      { problem: 'kept-after-retain-until', tenantId: 'acme', keyVersionId: 'kv-1', retainUntil: '2026-02-08T02:00:00.000Z' },
    ]);
  });

  it('given the version retired, when judged later, then P3 holds', () => {
    expect(complianceOf(given(...rotatedAndMoved, retired('kv-1', '2026-02-08T02:00:00.000Z')), at('2026-06-01T00:00:00Z')).P3).toEqual([]);
  });

  it('given a retired version enabled again under break-glass, when judged inside its window and the slack, then P3 holds; after them, unretired, it breaks', () => {
    const enabled: KeyRingEvent = { type: 'KeyVersionEnabled', data: { keyVersionId: 'kv-1', until: '2026-03-01T04:00:00.000Z', grantId: 'bg-1', at: '2026-03-01T00:00:00.000Z' } };
    const ring = given(...rotatedAndMoved, retired('kv-1', '2026-02-08T02:00:00.000Z'), enabled);
    expect(complianceOf(ring, at('2026-03-01T05:00:00Z')).P3).toEqual([]);
    expect(complianceOf(ring, at('2026-03-01T05:00:00.001Z')).P3).toEqual([
      { problem: 'kept-after-retain-until', tenantId: 'acme', keyVersionId: 'kv-1', retainUntil: '2026-03-01T04:00:00.000Z' },
    ]);
    expect(complianceOf(given(...rotatedAndMoved, retired('kv-1', '2026-02-08T02:00:00.000Z'), enabled, retired('kv-1', '2026-03-01T04:00:00.000Z')), at('2026-06-01T00:00:00Z')).P3).toEqual([]);
  });

  it('given a backup recorded after a version it needs was retired, when judged before it expires, then P3 names it; after it expires, not', () => {
    const ring = given(...rotatedAndMoved, retired('kv-1', '2026-02-08T02:00:00.000Z'), lateBackup('b-late', '2026-04-01T00:00:00.000Z'));
    expect(complianceOf(ring, at('2026-03-02T00:00:00Z')).P3).toEqual([
      { problem: 'backup-needs-retired-key-version', tenantId: 'acme', backupId: 'b-late', keyVersionIds: ['kv-1'], expiresAt: '2026-04-01T00:00:00.000Z' },
    ]);
    expect(complianceOf(ring, at('2026-04-01T00:00:00Z')).P3).toEqual([]);
  });

  it('given a shredded key ring, when judged, then no promise but P4 applies: nothing is reported', () => {
    const ring = given(opened(), { type: 'KeyRingDestroyed', data: { at: '2026-02-01T00:00:00.000Z' } });
    expect(complianceOf(ring, at('2030-01-01T00:00:00Z'))).toEqual({ P1: [], P2: [], P3: [] });
  });
});

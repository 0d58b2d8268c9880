// Given a key ring folded from its events, when the watch asks at an instant, then the next instant
// at which compliance may change with no new event (and that complianceOf's answer indeed changes there).
import { complianceOf } from '../compliance.js';
import { keyRingFactsOf } from '../keys/key-ring-facts.js';
import type { KeyRingEvent } from '../keys/key-ring.events.js';
import { evolveKeyRing, initialKeyRingState } from '../keys/key-ring.state.js';
import { nextComplianceCheckAt } from './next-compliance-check.js';

const T0 = '2026-01-01T00:00:00.000Z';
const given = (...events: KeyRingEvent[]) => keyRingFactsOf(events.reduce(evolveKeyRing, initialKeyRingState));
const at = (iso: string) => new Date(iso);
const before = (iso: string) => new Date(Date.parse(iso) - 1);
const opened = (keyCustody: 'managed' | 'client' = 'managed', rotationPeriodDays = 90, databases = ['db-1']): KeyRingEvent => ({
  type: 'KeyRingOpened',
  data: { tenantId: 'acme', keyId: 'key-1', keyCustody, rotationPeriodDays, pitrRetentionDays: 7, version: { keyVersionId: 'kv-1', createdAt: T0 }, databases, at: T0 },
});
const added = (keyVersionId: string, when: string): KeyRingEvent => ({ type: 'KeyVersionAdded', data: { keyVersionId, source: 'policy', createdAt: when, at: when } });
const reprotected = (from: string, to: string, when: string): KeyRingEvent => ({ type: 'DatabaseReprotected', data: { databaseId: 'db-1', fromKeyVersionId: from, toKeyVersionId: to, at: when } });
const destroyed: KeyRingEvent = { type: 'KeyRingDestroyed', data: { at: '2026-02-01T00:00:00.000Z' } };
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
    at: '2026-03-10T00:00:00.000Z',
  },
});
const violations = (facts: ReturnType<typeof given>, instant: Date) => {
  const c = complianceOf(facts, instant);
  return c.P1.length + c.P2.length + c.P3.length;
};

describe('next compliance check', () => {
  it('given a managed key, when asked, then the next check is when its newest version reaches the rotation period (P1 opens there)', () => {
    const facts = given(opened('managed', 90));
    const next = nextComplianceCheckAt(facts, at('2026-02-01T00:00:00Z'));
    expect(next).toBe('2026-04-01T00:00:00.000Z');
    expect([violations(facts, before(next!)), violations(facts, at(next!))]).toEqual([0, 1]);
  });

  it('given a client-held key, when asked, then the next check is at 730 days', () => {
    expect(nextComplianceCheckAt(given(opened('client', 90)), at('2026-02-01T00:00:00Z'))).toBe('2028-01-01T00:00:00.000Z');
  });

  it('given a database behind a new version, when asked, then the next check is just after its 24 hours (P2 is strictly after)', () => {
    const facts = given(opened(), added('kv-2', '2026-02-01T00:00:00.000Z'));
    const next = nextComplianceCheckAt(facts, at('2026-02-01T01:00:00Z'));
    expect(next).toBe('2026-02-02T00:00:00.001Z');
    expect([violations(facts, before(next!)), violations(facts, at(next!))]).toEqual([0, 1]);
  });

  it('given the database re-protected, when asked, then P2 sets no check and the next is P1 or the old version\'s retention', () => {
    const facts = given(opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('kv-1', 'kv-2', '2026-02-01T00:05:00.000Z'));
    const retainUntil = facts.superseded[0].retainUntil!;
    const next = nextComplianceCheckAt(facts, at('2026-02-01T01:00:00Z'));
    expect(next).toBe(new Date(Date.parse(retainUntil) + 60 * 60 * 1000 + 1).toISOString());
    expect([violations(facts, before(next!)), violations(facts, at(next!))]).toEqual([0, 1]);
  });

  it('given a P1 already broken and nothing else pending, when asked, then there is nothing to wait for', () => {
    expect(nextComplianceCheckAt(given(opened('managed', 90)), at('2026-05-01T00:00:00Z'))).toBeNull();
  });

  it('given an unrestorable backup, when asked, then the next check is its expiry (its P3 closes there)', () => {
    const facts = given(opened('client', 730), lateBackup('b-1', '2026-04-01T00:00:00.000Z'));
    const next = nextComplianceCheckAt(facts, at('2026-03-10T00:00:00Z'));
    expect(next).toBe('2026-04-01T00:00:00.000Z');
    expect([violations(facts, before(next!)), violations(facts, at(next!))]).toEqual([1, 0]);
  });

  it('given a shredded ring, when asked, then no check is needed', () => {
    expect(nextComplianceCheckAt(given(opened(), destroyed), at('2026-02-01T00:00:00Z'))).toBeNull();
  });
});

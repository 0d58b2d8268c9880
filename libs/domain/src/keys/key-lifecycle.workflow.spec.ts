// Given a key ring's history, when a key timer asks at an instant, then the workflow's answer.
import type { KeyRingEvent } from './key-ring.events.js';
import { evolveKeyRing, initialKeyRingState, type KeyRingState } from './key-ring.state.js';
import { destructionDecision, nextRotation, overdueCheck, reprotectionPlan, retirementDecision } from './key-lifecycle.workflow.js';

const T0 = '2026-01-01T00:00:00.000Z';
const given = (...events: KeyRingEvent[]): KeyRingState => events.reduce(evolveKeyRing, initialKeyRingState);
const at = (iso: string) => new Date(iso);
const opened = (keyCustody: 'managed' | 'client' = 'managed', rotationPeriodDays = 90): KeyRingEvent => ({
  type: 'KeyRingOpened',
  data: {
    tenantId: 'acme',
    keyId: 'key-1',
    keyCustody,
    rotationPeriodDays,
    pitrRetentionDays: 7,
    version: { keyVersionId: 'kv-1', createdAt: T0 },
    databases: ['db-1', 'db-2'],
    at: T0,
  },
});
const added = (keyVersionId: string, when: string): KeyRingEvent => ({ type: 'KeyVersionAdded', data: { keyVersionId, source: 'policy', createdAt: when, at: when } });
const reprotected = (databaseId: string, from: string, to: string, when: string): KeyRingEvent => ({
  type: 'DatabaseReprotected',
  data: { databaseId, fromKeyVersionId: from, toKeyVersionId: to, at: when },
});
const retired = (keyVersionId: string, retainUntil: string): KeyRingEvent => ({
  type: 'KeyVersionRetired',
  data: { keyVersionId, retainUntil, at: retainUntil, destroyAt: new Date(Date.parse(retainUntil) + 7 * 86_400_000).toISOString() },
});
const destroyed: KeyRingEvent = { type: 'KeyRingDestroyed', data: { at: '2026-06-01T00:00:00.000Z' } };
const backup = (backupId: string, keyVersionIds: string[], expiresAt: string): KeyRingEvent => ({
  type: 'BackupRecorded',
  data: {
    backupId,
    databaseId: 'db-1',
    kind: 'full',
    coveredFrom: '2026-01-20T00:00:00.000Z',
    takenAt: '2026-01-20T00:00:00.000Z',
    expiresAt,
    protection: 'customer-key',
    keyVersionIds,
    restoreKeyVersionId: keyVersionIds[keyVersionIds.length - 1] ?? null,
    unrestorable: null,
    at: '2026-01-20T00:00:00.000Z',
  },
});

describe('key lifecycle workflow: rotation (P1)', () => {
  it('given no key ring, when the rotation timer fires, then there is nothing to do', () => {
    expect(nextRotation(initialKeyRingState, at(T0))).toEqual({ kind: 'none' });
  });

  it('given a managed key younger than its period, when the timer fires early, then it waits for the period to end', () => {
    expect(nextRotation(given(opened()), at('2026-02-01T00:00:00Z'))).toEqual({ kind: 'wait', until: '2026-04-01T00:00:00.000Z' });
  });

  it('given a managed key at its period, when the timer fires, then a version is created that supersedes the newest', () => {
    expect(nextRotation(given(opened()), at('2026-04-01T00:00:00Z'))).toEqual({ kind: 'create-version', supersedes: 'kv-1' });
  });

  it('given a managed key rotated since, when the old timer fires, then it waits for the new version to age', () => {
    expect(nextRotation(given(opened(), added('kv-2', '2026-03-15T00:00:00.000Z')), at('2026-04-01T00:00:00Z'))).toEqual({ kind: 'wait', until: '2026-06-13T00:00:00.000Z' });
  });

  it('given a client-held key past its period, when the timer fires, then rotation is raised as due and looked at again a day later', () => {
    expect(nextRotation(given(opened('client', 90)), at('2026-04-02T00:00:00Z'))).toEqual({ kind: 'raise-due', keyVersionId: 'kv-1', recheckAt: '2026-04-03T00:00:00.000Z' });
  });

  it('given a shredded key ring, when the timer fires, then nothing is rotated', () => {
    expect(nextRotation(given(opened(), destroyed), at('2027-01-01T00:00:00Z'))).toEqual({ kind: 'none' });
  });
});

describe('key lifecycle workflow: re-protection (P2)', () => {
  it('given a new version, when the re-protection timer fires, then every database still on an older one moves to the newest', () => {
    const state = given(opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), added('kv-3', '2026-02-02T00:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z'));
    expect(reprotectionPlan(state)).toEqual([
      { databaseId: 'db-1', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-3' },
      { databaseId: 'db-2', fromKeyVersionId: 'kv-2', toKeyVersionId: 'kv-3' },
    ]);
  });

  it('given every database on the newest version, when the timer fires, then there is nothing to move', () => {
    const state = given(opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-1', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-01T02:00:00.000Z'));
    expect(reprotectionPlan(state)).toEqual([]);
  });

  it('given a version, when its overdue timer fires, then the databases behind are flagged as due 24 hours after it appeared', () => {
    expect(overdueCheck(given(opened(), added('kv-2', '2026-02-01T06:30:00.000Z')), 'kv-2')).toEqual({ kind: 'flag', keyVersionId: 'kv-2', dueBy: '2026-02-02T06:30:00.000Z' });
  });

  it('given a shredded ring or an unknown version, when the overdue timer fires, then nothing is flagged', () => {
    expect(overdueCheck(given(opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), destroyed), 'kv-2')).toEqual({ kind: 'none' });
    expect(overdueCheck(given(opened()), 'kv-9')).toEqual({ kind: 'none' });
  });
});

describe('key lifecycle workflow: retirement (P3)', () => {
  // kv-1 stops protecting its last database on Feb 2; the window is 7 days: retainUntil Feb 9.
  const superseded = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-1', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-02T00:00:00.000Z')];

  it('given a superseded version, when its timer fires before retainUntil, then it waits until then', () => {
    expect(retirementDecision(given(...superseded), 'kv-1', at('2026-02-05T00:00:00Z'))).toEqual({ kind: 'wait', until: '2026-02-09T00:00:00.000Z' });
  });

  it('given a superseded version, when its timer fires at retainUntil, then it is retired', () => {
    expect(retirementDecision(given(...superseded), 'kv-1', at('2026-02-09T00:00:00Z'))).toEqual({ kind: 'retire', retainUntil: '2026-02-09T00:00:00.000Z' });
  });

  it('given a live backup that needs the version longer, when the timer fires at the window end, then it waits for the backup to expire', () => {
    const state = given(...superseded, backup('b-1', ['kv-1'], '2026-03-01T00:00:00.000Z'));
    expect(retirementDecision(state, 'kv-1', at('2026-02-09T00:00:00Z'))).toEqual({ kind: 'wait', until: '2026-03-01T00:00:00.000Z' });
  });

  it('given a version a database is still on, when its timer fires, then it is still needed', () => {
    const state = given(opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-1', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z'));
    expect(retirementDecision(state, 'kv-1', at('2027-01-01T00:00:00Z'))).toEqual({ kind: 'none', reason: 'still-needed' });
    expect(retirementDecision(state, 'kv-2', at('2027-01-01T00:00:00Z'))).toEqual({ kind: 'none', reason: 'still-needed' });
  });

  it('given a version already retired (a crash after recording it), when its timer fires again, then the vault calls are finished', () => {
    expect(retirementDecision(given(...superseded, retired('kv-1', '2026-02-09T00:00:00.000Z')), 'kv-1', at('2026-02-09T00:05:00Z'))).toEqual({ kind: 'finish-in-vault' });
  });

  it('given a version destroyed after its grace, when its retirement timer fires again, then nothing happens', () => {
    const destroyedAfterGrace = given(...superseded, retired('kv-1', '2026-02-09T00:00:00.000Z'), { type: 'KeyVersionDestroyed', data: { keyVersionId: 'kv-1', at: '2026-02-16T00:00:00.000Z' } });
    expect(retirementDecision(destroyedAfterGrace, 'kv-1', at('2026-02-16T00:05:00Z'))).toEqual({ kind: 'none', reason: 'destroyed' });
  });

  it('given a shredded ring or an unknown version, when a retirement timer fires, then nothing happens', () => {
    expect(retirementDecision(given(...superseded, destroyed), 'kv-1', at('2026-07-01T00:00:00Z'))).toEqual({ kind: 'none', reason: 'ring-closed' });
    expect(retirementDecision(given(...superseded), 'kv-9', at('2026-07-01T00:00:00Z'))).toEqual({ kind: 'none', reason: 'unknown-version' });
  });
});

describe('key lifecycle workflow: destruction after the grace (P3)', () => {
  // kv-1 superseded (last use Feb 2), retired Feb 9; its grace (7 days here) ends Feb 16.
  const superseded = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-1', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-02T00:00:00.000Z')];
  const retiredState = () => given(...superseded, retired('kv-1', '2026-02-09T00:00:00.000Z'));

  it('given a retired version, when its timer fires before the grace ends, then it waits until then', () => {
    expect(destructionDecision(retiredState(), 'kv-1', at('2026-02-15T23:59:59.999Z'))).toEqual({ kind: 'wait', until: '2026-02-16T00:00:00.000Z' });
  });

  it('given a retired version, when its timer fires at or after the grace end, then it is destroyed', () => {
    expect(destructionDecision(retiredState(), 'kv-1', at('2026-02-16T00:00:00Z'))).toEqual({ kind: 'destroy' });
  });

  it('given a version recorded destroyed (a crash before the vault call), when its timer fires again, then the vault call is finished', () => {
    const recorded = given(...superseded, retired('kv-1', '2026-02-09T00:00:00.000Z'), { type: 'KeyVersionDestroyed', data: { keyVersionId: 'kv-1', at: '2026-02-16T00:00:00.000Z' } });
    expect(destructionDecision(recorded, 'kv-1', at('2026-02-16T00:01:00Z'))).toEqual({ kind: 'finish-in-vault' });
  });

  it('given a version enabled again under break-glass, a shredded ring or an unknown version, when the timer fires, then nothing happens', () => {
    const enabled = given(...superseded, retired('kv-1', '2026-02-09T00:00:00.000Z'), {
      type: 'KeyVersionEnabled',
      data: { keyVersionId: 'kv-1', until: '2026-02-12T00:00:00.000Z', grantId: 'bg-1', at: '2026-02-11T00:00:00.000Z' },
    });
    expect(destructionDecision(enabled, 'kv-1', at('2026-02-16T00:00:00Z'))).toEqual({ kind: 'none', reason: 'not-retired' });
    expect(destructionDecision(given(...superseded, retired('kv-1', '2026-02-09T00:00:00.000Z'), destroyed), 'kv-1', at('2026-02-16T00:00:00Z'))).toEqual({ kind: 'none', reason: 'ring-closed' });
    expect(destructionDecision(retiredState(), 'kv-9', at('2026-02-16T00:00:00Z'))).toEqual({ kind: 'none', reason: 'unknown-version' });
  });
});

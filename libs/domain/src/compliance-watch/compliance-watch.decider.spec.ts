// Given the violations open on a tenant, when compliance is judged, then what opened and closed.
import { complianceOf, type Compliance } from '../compliance.js';
import { keyRingFactsOf } from '../keys/key-ring-facts.js';
import type { KeyRingEvent } from '../keys/key-ring.events.js';
import { evolveKeyRing, initialKeyRingState } from '../keys/key-ring.state.js';
import { specFor } from '../shared/given-when-then.js';
import { complianceWatchDecider } from './compliance-watch.decider.js';
import type { ComplianceWatchEvent } from './compliance-watch.events.js';

const given = specFor(complianceWatchDecider, () => undefined);
const T0 = '2026-01-01T00:00:00.000Z';
const NONE: Compliance = { P1: [], P2: [], P3: [] };
const judge = (compliance: Compliance, at = '2026-06-01T00:00:00.000Z') => ({ type: 'JudgeCompliance', data: { tenantId: 'acme', compliance, at } }) as const;

const p1: Compliance = { ...NONE, P1: [{ tenantId: 'acme', keyCustody: 'client', newestKeyVersionId: 'kv-1', newestCreatedAt: T0, limitDays: 730 }] };
const p2: Compliance = { ...NONE, P2: [{ tenantId: 'acme', keyVersionId: 'kv-2', databases: [{ databaseId: 'db-1', keyVersionId: 'kv-1' }] }] };
const p3: Compliance = {
  ...NONE,
  P3: [
    { problem: 'kept-after-retain-until', tenantId: 'acme', keyVersionId: 'kv-1', retainUntil: '2026-05-01T00:00:00.000Z' },
    { problem: 'backup-needs-retired-key-version', tenantId: 'acme', backupId: 'b-1', keyVersionIds: ['kv-0'], expiresAt: '2026-07-01T00:00:00.000Z' },
  ],
};

const openedP1: ComplianceWatchEvent = {
  type: 'ComplianceViolationOpened',
  data: {
    tenantId: 'acme',
    promise: 'P1',
    violationId: 'P1:acme:kv-1',
    detail: { problem: 'key-version-too-old', keyCustody: 'client', keyVersionId: 'kv-1', createdAt: T0, limitDays: 730 },
    at: '2026-06-01T00:00:00.000Z',
  },
};
const openedP2: ComplianceWatchEvent = {
  type: 'ComplianceViolationOpened',
  data: { tenantId: 'acme', promise: 'P2', violationId: 'P2:acme:kv-2', detail: { problem: 'databases-not-reprotected', keyVersionId: 'kv-2', databaseIds: ['db-1'] }, at: '2026-06-01T00:00:00.000Z' },
};

describe('compliance watch', () => {
  it('given nothing open, when a judgement finds nothing, then nothing is recorded', () => {
    given([]).when(judge(NONE)).thenNothing();
  });

  it('given nothing open, when a judgement finds a violation of each promise, then each opens with its stable id and detail', () => {
    given([])
      .when(judge({ ...p1, P2: p2.P2, P3: p3.P3 }))
      .then([
        openedP1,
        openedP2,
        {
          type: 'ComplianceViolationOpened',
          data: {
            tenantId: 'acme',
            promise: 'P3',
            violationId: 'P3:kept-after-retain-until:acme:kv-1',
            detail: { problem: 'kept-after-retain-until', keyVersionId: 'kv-1', retainUntil: '2026-05-01T00:00:00.000Z' },
            at: '2026-06-01T00:00:00.000Z',
          },
        },
        {
          type: 'ComplianceViolationOpened',
          data: {
            tenantId: 'acme',
            promise: 'P3',
            violationId: 'P3:backup-needs-retired-key-version:acme:b-1',
            detail: { problem: 'backup-needs-retired-key-version', backupId: 'b-1', keyVersionIds: ['kv-0'], expiresAt: '2026-07-01T00:00:00.000Z' },
            at: '2026-06-01T00:00:00.000Z',
          },
        },
      ]);
  });

  it('given a violation open, when the same result is judged again, then nothing is recorded (idempotent)', () => {
    given([openedP1]).when(judge(p1, '2026-06-02T00:00:00.000Z')).thenNothing();
  });

  it('given a violation open, when a judgement no longer finds it, then it closes, naming when it opened', () => {
    given([openedP1])
      .when(judge(NONE, '2026-06-03T00:00:00.000Z'))
      .then([{ type: 'ComplianceViolationClosed', data: { tenantId: 'acme', promise: 'P1', violationId: 'P1:acme:kv-1', openedAt: '2026-06-01T00:00:00.000Z', at: '2026-06-03T00:00:00.000Z' } }]);
  });

  it('given P1 open on one version, when the judgement finds P1 on a newer one, then the old closes and the new opens', () => {
    const newer: Compliance = { ...NONE, P1: [{ ...p1.P1[0], newestKeyVersionId: 'kv-2' }] };
    const produced = given([openedP1]).when(judge(newer, '2026-06-03T00:00:00.000Z')).produced();
    expect(produced.map((e) => [e.type, e.data.violationId])).toEqual([
      ['ComplianceViolationClosed', 'P1:acme:kv-1'],
      ['ComplianceViolationOpened', 'P1:acme:kv-2'],
    ]);
  });

  it('given a violation closed, when it is found again, then it opens again', () => {
    const closed: ComplianceWatchEvent = { type: 'ComplianceViolationClosed', data: { tenantId: 'acme', promise: 'P2', violationId: 'P2:acme:kv-2', openedAt: T0, at: '2026-05-01T00:00:00.000Z' } };
    given([openedP2, closed]).when(judge(p2)).then([openedP2]);
  });

  it('given violations open, when the ring is shredded (complianceOf finds nothing on a destroyed ring), then every one closes', () => {
    const ring = [opened(), { type: 'KeyRingDestroyed', data: { at: '2026-06-04T00:00:00.000Z' } } as KeyRingEvent].reduce(evolveKeyRing, initialKeyRingState);
    const produced = given([openedP1, openedP2]).when(judge(complianceOf(keyRingFactsOf(ring), new Date('2030-01-01T00:00:00Z')), '2026-06-04T00:00:00.000Z')).produced();
    expect(produced.map((e) => [e.type, e.data.violationId])).toEqual([
      ['ComplianceViolationClosed', 'P1:acme:kv-1'],
      ['ComplianceViolationClosed', 'P2:acme:kv-2'],
    ]);
  });
});

function opened(): KeyRingEvent {
  return {
    type: 'KeyRingOpened',
    data: { tenantId: 'acme', keyId: 'key-1', keyCustody: 'client', rotationPeriodDays: 90, pitrRetentionDays: 7, version: { keyVersionId: 'kv-1', createdAt: T0 }, databases: ['db-1'], at: T0 },
  };
}

import type { FleetFact, TenantSpec } from '../fleet/fleet-facts.js';
import { at, HOUR, promises, Scenario, tenant } from './oracle-scenario.fixture.js';

const T0 = '2026-12-01T09:00:00.000Z';
/** Wednesday 23 Dec 2026 in London: 5 working days end on Monday 4 Jan 2027 (Christmas, Boxing Day, New Year). */
const NOTICE = '2026-12-23T10:00:00.000Z';
const DEADLINE = '2027-01-04T23:59:59.999Z';
const EXECUTE = '2026-12-29T23:59:59.999Z';

const termination = (over: Partial<Extract<FleetFact, { kind: 'termination' }>> = {}): FleetFact => ({
  at: NOTICE,
  kind: 'termination',
  tenantId: 'acme',
  terminationId: 't-1',
  contractId: 'c-1',
  effectiveAt: NOTICE,
  deliveries: 1,
  ...over,
});

function onboarded(spec: Partial<TenantSpec> = {}, ...facts: FleetFact[]): Scenario {
  const s = new Scenario().fact({ at: T0, kind: 'onboard', tenant: tenant({ rotationPeriodDays: 365, ...spec }) });
  for (const f of facts) s.fact(f);
  return s.opened('acme', T0, 'v0', spec.databases ?? ['db-1']).vault('acme', [{ id: 'v0', createdAt: T0 }]);
}

function scheduled(s: Scenario, over: { shredId?: string; trigger?: Record<string, unknown>; deadline?: string; when?: string } = {}): Scenario {
  return s.tenantEvent(
    'acme',
    'ShredScheduled',
    {
      shredId: over.shredId ?? 'shred-1',
      trigger: over.trigger ?? { kind: 'termination', terminationId: 't-1', contractId: 'c-1' },
      effectiveAt: NOTICE,
      receivedAt: over.when ?? NOTICE,
      deadline: over.deadline ?? DEADLINE,
      executeAt: EXECUTE,
    },
    over.when ?? NOTICE,
  );
}

/** Lethe's shred carried out at `when`: started, key destroyed (and the vault), assets purged, probed, verified. */
function carriedOut(s: Scenario, when: string, probed: readonly string[] = ['db-1'], shredId = 'shred-1', assets: { kind: string; id: string }[] = []): Scenario {
  return s
    .tenantEvent('acme', 'ShredExecutionStarted', { shredId }, when)
    .tenantEvent('acme', 'KeyDestroyed', { shredId, keyId: 'vk-acme', versions: [{ keyVersionId: 'v0', unusableAt: when, purgedAt: when }] }, when)
    .vault('acme', [{ id: 'v0', createdAt: T0, state: 'destroyed', unusableAt: when }], when)
    .tenantEvent('acme', 'AssetsPurged', { shredId, assets: assets.map((a) => ({ ...a, purgedAt: when })) }, when)
    .tenantEvent('acme', 'ShredProbeRecorded', { shredId, attempt: 1, outcome: 'key-destroyed', results: probed.map((databaseId) => ({ databaseId, outcome: 'key-destroyed', detail: '' })) }, when)
    .tenantEvent('acme', 'ShredVerified', { shredId, attempt: 1 }, when);
}

describe('P4: a termination or deletion request destroys every key version within 5 working days', () => {
  it('given a shred with the right deadline, carried out and verified before it, then nothing is broken and the margin is the time to spare', () => {
    const s = carriedOut(scheduled(onboarded({}, termination())), EXECUTE);
    expect(s.checkAt('2027-01-06T00:00:00.000Z')).toEqual([]);
    expect(s.theOracle.margins().shredDeadlineMs).toBe(Date.parse(DEADLINE) - Date.parse(EXECUTE));
  });

  it('given a notice delivered twice and resent a day later, then the report counts both repeats as duplicate deliveries', () => {
    const s = onboarded({}, termination({ deliveries: 2 }), termination({ at: at(NOTICE, 24 * HOUR) }));
    s.checkAt(at(NOTICE, 25 * HOUR));
    expect(s.theOracle.counts()).toMatchObject({ duplicateDeliveries: 2, triggers: 1 });
  });

  it('given Lethe counting Christmas as working days, then its recorded deadline breaks P4', () => {
    const s = carriedOut(scheduled(onboarded({}, termination()), { deadline: '2026-12-30T23:59:59.999Z' }), '2026-12-28T00:00:00.000Z');
    const found = s.checkAt('2027-01-06T00:00:00.000Z');
    expect(promises(found)).toEqual(['acme P4']);
    expect(found[0].expected).toContain(`deadline ${DEADLINE}`);
    expect(found[0].expected).toContain('2026-12-24, 2026-12-29, 2026-12-30, 2026-12-31, 2027-01-04');
  });

  it('given a shred scheduled but never carried out, then the key, the verification and the breach report are all owed at the deadline', () => {
    const s = scheduled(onboarded({}, termination()));
    expect(s.checkAt(DEADLINE)).toEqual([]);
    const found = s.checkAt(at(DEADLINE, HOUR + 1));
    expect(found.map((v) => `${v.promise} ${v.expected.split(' ')[0]}`).sort()).toEqual(['P4 every', 'P4 every', 'P5 ShredDeadlineBreached', 'P5 the']);
  });

  it('given a notice received after its deadline, shredded at once with a late-notification breach, then nothing is broken', () => {
    const late = termination({ effectiveAt: '2026-12-01T10:00:00.000Z' });
    const s = scheduled(onboarded({}, late), { deadline: '2026-12-08T23:59:59.999Z' });
    s.tenantEvent('acme', 'ShredDeadlineBreached', { shredId: 'shred-1', cause: 'late-notification', deadline: '2026-12-08T23:59:59.999Z' }, NOTICE);
    carriedOut(s, NOTICE);
    expect(s.checkAt('2026-12-24T00:00:00.000Z')).toEqual([]);
  });

  it('given a late notice without the breach recorded, then P4 is broken', () => {
    const late = termination({ effectiveAt: '2026-12-01T10:00:00.000Z' });
    const s = carriedOut(scheduled(onboarded({}, late), { deadline: '2026-12-08T23:59:59.999Z' }), NOTICE);
    const found = s.checkAt('2026-12-24T00:00:00.000Z');
    expect(promises(found)).toEqual(['acme P4']);
    expect(found[0].expected).toContain('late-notification');
  });

  it('given a message delivered twice, then one shred is owed and a second one breaks P4', () => {
    const twice = termination({ deliveries: 2 });
    expect(carriedOut(scheduled(onboarded({}, twice)), EXECUTE).checkAt('2027-01-06T00:00:00.000Z')).toEqual([]);
    const s = carriedOut(scheduled(scheduled(onboarded({}, twice)), { shredId: 'shred-2' }), EXECUTE);
    const found = s.checkAt('2027-01-06T00:00:00.000Z');
    expect(promises(found)).toEqual(['acme P4']);
    expect(found[0].actual).toContain('shred-2');
  });

  describe('a cancel withdraws the triggers received before it; a trigger after it schedules a new shred', () => {
    const cancel: FleetFact = { at: at(NOTICE, HOUR), kind: 'cancel-shred', tenantId: 'acme' };
    const request: FleetFact = { at: '2026-12-24T10:00:00.000Z', kind: 'deletion-request', tenantId: 'acme', requestId: 'r-1', deliveries: 1 };
    const requestTrigger = { kind: 'deletion-request', requestId: 'r-1' };

    it('given the shred cancelled and a later request shredded in time, then nothing is broken', () => {
      const s = scheduled(onboarded({}, termination(), cancel, request));
      s.tenantEvent('acme', 'ShredCancelled', { shredId: 'shred-1', reason: 'renewed' }, at(NOTICE, HOUR));
      scheduled(s, { shredId: 'shred-2', trigger: requestTrigger, deadline: '2027-01-05T23:59:59.999Z', when: request.at });
      carriedOut(s, '2026-12-31T00:00:00.000Z', ['db-1'], 'shred-2');
      expect(s.checkAt('2027-01-07T00:00:00.000Z')).toEqual([]);
    });

    it('given the cancel ignored, then P4 is broken', () => {
      const s = scheduled(onboarded({}, termination(), cancel));
      expect(promises(s.checkAt(at(NOTICE, 2 * HOUR + 1)))).toEqual(['acme P4']);
    });

    it('given the request after the cancel ignored, then P4 is broken', () => {
      const s = scheduled(onboarded({}, termination(), cancel, request));
      s.tenantEvent('acme', 'ShredCancelled', { shredId: 'shred-1', reason: 'renewed' }, at(NOTICE, HOUR));
      const found = s.checkAt(at(request.at, HOUR + 1));
      expect(promises(found)).toEqual(['acme P4']);
      expect(found[0].expected).toContain('deletion-request r-1');
    });
  });

  it("given a request joining a termination effective months later, then the request's own deadline is owed", () => {
    const future = termination({ effectiveAt: '2027-06-01T00:00:00.000Z' });
    const request: FleetFact = { at: '2026-12-24T10:00:00.000Z', kind: 'deletion-request', tenantId: 'acme', requestId: 'r-1', deliveries: 1 };
    const s = scheduled(onboarded({}, future, request), { deadline: '2027-06-08T23:59:59.999Z' });
    // The termination's own deadline (5 working days from 1 June) is what Lethe recorded; the request owes 5 Jan.
    s.checkAt('2027-01-05T00:00:00.000Z');
    const found = s.checkAt('2027-01-06T01:00:00.000Z');
    expect(found.map((v) => v.promise)).toContain('P4');
    expect(found.find((v) => v.promise === 'P4')!.expected).toContain('deletion-request r-1');
  });

  it('given a request joining a termination effective months later, and Lethe moving the shred to the request\'s deadline (ShredAdvanced), then nothing is broken', () => {
    const future = termination({ effectiveAt: '2027-06-01T00:00:00.000Z' });
    const request: FleetFact = { at: '2026-12-24T10:00:00.000Z', kind: 'deletion-request', tenantId: 'acme', requestId: 'r-1', deliveries: 1 };
    // The termination's own deadline: the end of Tue 8 June in London (BST).
    const s = scheduled(onboarded({}, future, request), { deadline: '2027-06-08T22:59:59.999Z' });
    // Before Lethe applied the request (within the slack): nothing to say yet.
    expect(s.checkAt(at(request.at, 1000))).toEqual([]);
    s.tenantEvent(
      'acme',
      'ShredAdvanced',
      { shredId: 'shred-1', trigger: { kind: 'deletion-request', requestId: 'r-1' }, deadline: '2027-01-05T23:59:59.999Z', executeAt: '2026-12-30T23:59:59.999Z' },
      at(request.at, 1000),
    );
    carriedOut(s, '2026-12-31T00:00:00.000Z');
    expect(s.checkAt('2027-01-06T01:00:00.000Z')).toEqual([]);
  });

  it('given a platform-key tenant whose backup is not purged, then P4 is broken', () => {
    const b: FleetFact = { at: '2026-12-10T00:00:00.000Z', kind: 'backup', tenantId: 'acme', backupId: 'b-1', databaseId: 'db-1', schedule: 'monthly', coveredFrom: '2026-12-09T00:00:00.000Z', takenAt: '2026-12-10T00:00:00.000Z', expiresAt: '2027-12-10T00:00:00.000Z' };
    const purged = carriedOut(scheduled(onboarded({ backupKeyMode: 'platform' }, b, termination())), EXECUTE, ['db-1'], 'shred-1', [{ kind: 'platform-backup', id: 'b-1' }]);
    purged.platformAssets('acme', 1, 0, EXECUTE);
    expect(purged.checkAt('2027-01-06T00:00:00.000Z')).toEqual([]);
    const kept = carriedOut(scheduled(onboarded({ backupKeyMode: 'platform' }, b, termination())), EXECUTE).platformAssets('acme', 1, 1, null);
    const found = kept.checkAt('2027-01-06T00:00:00.000Z');
    expect(promises(found)).toEqual(['acme P4']);
    expect(found[0].actual).toContain('b-1');
  });
});

describe('P5: a shred counts only when a probe of every database found it unreadable', () => {
  it('given a verification that probed one database of two, then P5 is broken', () => {
    const s = carriedOut(scheduled(onboarded({ databases: ['db-1', 'db-2'] }, termination())), EXECUTE, ['db-1']);
    const found = s.checkAt('2027-01-06T00:00:00.000Z');
    expect(promises(found)).toEqual(['acme P5']);
    expect(found[0].actual).toContain('not proven: db-2');
  });

  it('given a probe that found data readable, then P5 is broken', () => {
    const s = scheduled(onboarded({}, termination())).tenantEvent('acme', 'ShredVerificationFailed', { shredId: 'shred-1', attempt: 1, readableDatabases: ['db-1'] }, EXECUTE);
    expect(promises(s.checkAt('2026-12-30T00:00:00.000Z'))).toEqual(['acme P5']);
  });

  it('given verification after the deadline with the breach recorded at the deadline, then the promise is still broken but reported', () => {
    const s = scheduled(onboarded({}, termination()))
      .tenantEvent('acme', 'ShredDeadlineBreached', { shredId: 'shred-1', cause: 'not-verified-by-deadline', deadline: DEADLINE }, DEADLINE);
    carriedOut(s, '2027-01-05T12:00:00.000Z');
    const found = s.checkAt('2027-01-06T00:00:00.000Z');
    // The key destroyed late (log and vault), the shred verified late.
    expect(found.map((v) => v.promise).sort()).toEqual(['P4', 'P4', 'P5']);
    expect(s.theOracle.margins().shredDeadlineMs).toBeLessThan(0);
  });
});

import { WorkingDayCalendar } from '@lethe/calendar';
import { specFor } from '../shared/given-when-then.js';
import type { WorkingDays } from '../shared/working-days.js';
import type { OnboardTenant, ScheduleShred, TenantCommand } from './tenant.commands.js';
import { tenantDecider, type TenantContext } from './tenant.decider.js';
import type { ShredScheduled, TenantEvent } from './tenant.events.js';

const calendars = new Map<string, WorkingDayCalendar>();
const workingDays: WorkingDays = {
  deadlineOf(instant, n, c) {
    const key = [...c.excludedHolidayTypes].sort().join(',');
    let cal = calendars.get(key);
    if (!cal) calendars.set(key, (cal = new WorkingDayCalendar({ excludedTypes: c.excludedHolidayTypes as never })));
    const result = cal.deadline(instant, n, c.jurisdiction, { timeZone: c.timeZone, partialHolidays: c.partialHolidays, overrides: c.overrides });
    return { deadline: result.deadline, weekends: result.weekends.map((w) => ({ from: w.from, days: w.days })), overrideIds: result.overrideIds };
  },
};
const at = (iso: string): TenantContext => ({ now: new Date(iso), calendar: workingDays });
const given = specFor(tenantDecider, () => at('2026-12-01T09:00:00.000Z'));

function onboarded(over: Partial<OnboardTenant['data']> = {}): TenantEvent[] {
  const d = {
    tenantId: 'acme',
    jurisdiction: 'GB-ENG',
    timeZone: 'Europe/London',
    excludedHolidayTypes: ['public', 'bank'],
    keyCustody: 'managed' as const,
    backupKeyMode: 'platform' as const,
    databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }],
    shredGraceWorkingDays: 2,
    key: { keyId: 'key-1', keyVersionId: 'kv-1' },
    ...over,
  };
  return [...tenantDecider.decide({ type: 'OnboardTenant', data: d }, tenantDecider.initialState, at('2026-11-01T10:00:00.000Z'))];
}

const terminate = (effectiveAt: string, receivedAt: string, terminationId = 'term-1'): ScheduleShred => ({
  type: 'ScheduleShred',
  data: { trigger: { kind: 'termination', terminationId, contractId: 'c-1' }, effectiveAt, receivedAt },
});

function scheduled(events: readonly TenantEvent[]): ShredScheduled['data'] {
  const e = events.find((x) => x.type === 'ShredScheduled');
  if (!e || e.type !== 'ShredScheduled') throw new Error('no ShredScheduled');
  return e.data;
}

describe('tenant decider: onboarding', () => {
  it('records the tenant, its key and each protected database', () => {
    given([])
      .when(
        {
          type: 'OnboardTenant',
          data: {
            tenantId: 'acme',
            jurisdiction: 'DE-BY',
            timeZone: 'Europe/Berlin',
            excludedHolidayTypes: ['public', 'bank'],
            keyCustody: 'client',
            backupKeyMode: 'customer',
            databases: [{ databaseId: 'db-1' }],
            shredGraceWorkingDays: 0,
            key: { keyId: 'key-9', keyVersionId: 'kv-9' },
          },
        },
        at('2026-11-02T08:00:00.000Z'),
      )
      .then([
        {
          type: 'TenantOnboarded',
          data: {
            tenantId: 'acme',
            jurisdiction: 'DE-BY',
            timeZone: 'Europe/Berlin',
            excludedHolidayTypes: ['public', 'bank'],
            partialHolidays: 'working',
            keyCustody: 'client',
            backupKeyMode: 'customer',
            databases: [{ databaseId: 'db-1' }],
            shredGraceWorkingDays: 0,
            at: '2026-11-02T08:00:00.000Z',
          },
        },
        { type: 'TenantKeyCreated', data: { keyId: 'key-9', keyVersionId: 'kv-9', source: 'onboarding', at: '2026-11-02T08:00:00.000Z' } },
        { type: 'DatabaseProtected', data: { databaseId: 'db-1', keyVersionId: 'kv-9', at: '2026-11-02T08:00:00.000Z' } },
      ]);
  });

  it('refuses a tenant that exists', () => {
    const onboard = { type: 'OnboardTenant', data: { tenantId: 'acme' } } as unknown as TenantCommand;
    given(onboarded()).when(onboard).thenRejects('tenant-exists');
  });

  it('refuses, forever, a tenant whose key was destroyed', () => {
    const history: TenantEvent[] = [
      ...onboarded(),
      ...tenantDecider.decide(terminate('2026-11-02T10:00:00.000Z', '2026-11-02T10:00:00.000Z'), tenantDecider.evolve(tenantDecider.initialState, onboarded()[0]), at('2026-11-02T10:00:00.000Z')),
    ];
    const shredId = scheduled(history).shredId;
    const full: TenantEvent[] = [
      ...history,
      { type: 'ShredExecutionStarted', data: { shredId, at: '2026-11-04T00:00:00.000Z' } },
      { type: 'KeyDestroyed', data: { shredId, keyId: 'key-1', versions: [], at: '2026-11-04T00:00:01.000Z' } },
    ];
    const onboard = { type: 'OnboardTenant', data: { tenantId: 'acme' } } as unknown as TenantCommand;
    given(full).when(onboard).thenRejects('tenant-shredded');
  });
});

describe('tenant decider: scheduling a shred', () => {
  it('counts 5 working days after the local date, skipping the GB Christmas and New Year holidays', () => {
    // Thu 24 Dec 2026 is day D (never counted). Fri 25 Christmas, Mon 28 Boxing Day (substitute),
    // Fri 1 Jan New Year: working days are Tue 29, Wed 30, Thu 31, Mon 4, Tue 5 Jan.
    const events = given(onboarded())
      .when(terminate('2026-12-24T12:00:00.000Z', '2026-12-01T09:00:00.000Z'), at('2026-12-01T09:00:00.000Z'))
      .produced();
    expect(events).toEqual([
      {
        type: 'ShredScheduled',
        data: {
          shredId: 'termination:term-1',
          trigger: { kind: 'termination', terminationId: 'term-1', contractId: 'c-1' },
          effectiveAt: '2026-12-24T12:00:00.000Z',
          receivedAt: '2026-12-01T09:00:00.000Z',
          deadline: '2027-01-05T23:59:59.999Z',
          executeAt: '2026-12-30T23:59:59.999Z',
          deletionWorkingDays: 5,
          graceWorkingDays: 2,
          calendar: {
            jurisdiction: 'GB-ENG',
            timeZone: 'Europe/London',
            excludedHolidayTypes: ['public', 'bank'],
            weekends: [{ from: null, days: [6, 7] }],
            partialHolidays: 'working',
            overrideIds: [],
          },
        },
      },
    ]);
  });

  it('follows the tenant jurisdiction and time zone (DE-BY: Dec 24 and 31 are bank holidays from 14:00)', () => {
    // D = Tue 22 Dec (Berlin). With partial holidays off: Wed 23, Mon 28, Tue 29, Wed 30, Mon 4 Jan. End of Mon 4 Jan CET.
    const events = given(onboarded({ jurisdiction: 'DE-BY', timeZone: 'Europe/Berlin', partialHolidays: 'off' }))
      .when(terminate('2026-12-22T09:00:00.000Z', '2026-12-22T09:00:00.000Z'), at('2026-12-22T09:00:00.000Z'))
      .produced();
    expect(scheduled(events).deadline).toBe('2027-01-04T22:59:59.999Z');
    expect(scheduled(events).executeAt).toBe('2026-12-28T22:59:59.999Z');
  });

  it('counts partial holidays as working days by default (DE-BY: Thu 24 Dec 2026 from 14:00)', () => {
    // D = Tue 22 Dec: Wed 23, Thu 24, Mon 28, Tue 29, Wed 30.
    const events = given(onboarded({ jurisdiction: 'DE-BY', timeZone: 'Europe/Berlin' }))
      .when(terminate('2026-12-22T09:00:00.000Z', '2026-12-22T09:00:00.000Z'), at('2026-12-22T09:00:00.000Z'))
      .produced();
    expect(scheduled(events).deadline).toBe('2026-12-30T22:59:59.999Z');
    expect(scheduled(events).executeAt).toBe('2026-12-24T22:59:59.999Z');
    expect(scheduled(events).calendar.partialHolidays).toBe('working');
  });

  it('applies the operator overrides in the context, and stores the ids of those it met', () => {
    // CN 2026 (issue 9): 15-23 Feb off, Sat 14 and Sat 28 Feb worked. D = Wed 11 Feb: Thu 12, Fri 13, Sat 14, Tue 24, Wed 25.
    const off = ['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => ({ id: `CN:2026-02-${d}:1`, jurisdiction: 'CN', date: `2026-02-${d}`, kind: 'off' as const, reason: 'Spring Festival' }));
    const working = ['14', '28'].map((d) => ({ id: `CN:2026-02-${d}:1`, jurisdiction: 'CN', date: `2026-02-${d}`, kind: 'working' as const, reason: 'make-up day' }));
    const events = given(onboarded({ jurisdiction: 'CN', timeZone: 'Asia/Shanghai' }))
      .when(terminate('2026-02-11T02:00:00.000Z', '2026-02-11T02:00:00.000Z'), { ...at('2026-02-11T02:00:00.000Z'), calendarOverrides: [...off, ...working] })
      .produced();
    expect(scheduled(events).deadline).toBe('2026-02-25T15:59:59.999Z');
    expect(scheduled(events).executeAt).toBe('2026-02-13T15:59:59.999Z');
    expect(scheduled(events).calendar.overrideIds).toEqual(['CN:2026-02-14:1', ...off.map((o) => o.id)]);
    // Without them (a decision before they were declared) the library's calendar alone decides.
    const before = given(onboarded({ jurisdiction: 'CN', timeZone: 'Asia/Shanghai' })).when(terminate('2026-02-11T02:00:00.000Z', '2026-02-11T02:00:00.000Z')).produced();
    expect(scheduled(before).deadline).toBe('2026-02-23T15:59:59.999Z');
  });

  it('stores the weekend it used (IL: Friday-Saturday)', () => {
    const events = given(onboarded({ jurisdiction: 'IL', timeZone: 'Asia/Jerusalem' }))
      .when(terminate('2025-06-06T09:00:00.000Z', '2025-06-06T09:00:00.000Z'), at('2025-06-06T09:00:00.000Z'))
      .produced();
    expect(scheduled(events).deadline).toBe('2025-06-12T20:59:59.999Z');
    expect(scheduled(events).calendar.weekends).toEqual([{ from: null, days: [5, 6] }]);
  });

  it('starts the clock at the local date of the effective instant, not the UTC date', () => {
    // 23:30 UTC on Fri 4 Dec is already Sat 5 Dec in Tokyo: D = Sat, working days Mon 7 .. Fri 11.
    const events = given(onboarded({ jurisdiction: 'JP', timeZone: 'Asia/Tokyo' }))
      .when(terminate('2026-12-04T23:30:00.000Z', '2026-12-01T00:00:00.000Z'), at('2026-12-01T00:00:00.000Z'))
      .produced();
    expect(scheduled(events).deadline).toBe('2026-12-11T14:59:59.999Z');
  });

  it('executes at the effective instant itself when the grace is 0', () => {
    const events = given(onboarded({ shredGraceWorkingDays: 0 }))
      .when(terminate('2026-12-02T15:00:00.000Z', '2026-12-01T09:00:00.000Z'))
      .produced();
    expect(scheduled(events).executeAt).toBe('2026-12-02T15:00:00.000Z');
  });

  it('executes at once and records a late-notification breach when the notice comes after its deadline', () => {
    // Effective Mon 2 Nov: deadline end of Mon 9 Nov. The notice arrives on 20 Nov.
    given(onboarded())
      .when(terminate('2026-11-02T10:00:00.000Z', '2026-11-20T08:00:00.000Z'), at('2026-11-20T08:00:00.000Z'))
      .then([
        {
          type: 'ShredScheduled',
          data: {
            shredId: 'termination:term-1',
            trigger: { kind: 'termination', terminationId: 'term-1', contractId: 'c-1' },
            effectiveAt: '2026-11-02T10:00:00.000Z',
            receivedAt: '2026-11-20T08:00:00.000Z',
            deadline: '2026-11-09T23:59:59.999Z',
            executeAt: '2026-11-20T08:00:00.000Z',
            deletionWorkingDays: 5,
            graceWorkingDays: 2,
            calendar: {
            jurisdiction: 'GB-ENG',
            timeZone: 'Europe/London',
            excludedHolidayTypes: ['public', 'bank'],
            weekends: [{ from: null, days: [6, 7] }],
            partialHolidays: 'working',
            overrideIds: [],
          },
          },
        },
        {
          type: 'ShredDeadlineBreached',
          data: { shredId: 'termination:term-1', cause: 'late-notification', deadline: '2026-11-09T23:59:59.999Z', at: '2026-11-20T08:00:00.000Z' },
        },
      ]);
  });

  it('records a deletion request and schedules from when it was made', () => {
    const events = given(onboarded())
      .when({
        type: 'ScheduleShred',
        data: { trigger: { kind: 'deletion-request', requestId: 'req-1' }, effectiveAt: '2026-12-01T09:00:00.000Z', receivedAt: '2026-12-01T09:00:00.000Z' },
      })
      .produced();
    expect(events.map((e) => e.type)).toEqual(['DeletionRequested', 'ShredScheduled']);
    expect(scheduled(events).shredId).toBe('deletion-request:req-1');
    expect(scheduled(events).deadline).toBe('2026-12-08T23:59:59.999Z');
  });

  const first = () => [...onboarded(), ...given(onboarded()).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).produced()];

  it('changes nothing for a replayed trigger', () => {
    given(first()).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).thenNothing();
  });

  it('changes nothing for a second, distinct trigger while a shred is scheduled', () => {
    given(first()).when(terminate('2026-12-03T10:00:00.000Z', '2026-12-01T09:00:00.000Z', 'term-2')).thenNothing();
  });

  it('refuses a tenant that does not exist', () => {
    given([]).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).thenRejects('tenant-not-found');
  });

  it('schedules again after a cancellation, for a new trigger only', () => {
    const cancelled: TenantEvent[] = [...first(), { type: 'ShredCancelled', data: { shredId: 'termination:term-1', reason: 'sent in error', at: '2026-12-01T10:00:00.000Z' } }];
    given(cancelled).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).thenNothing();
    const again = given(cancelled).when(terminate('2026-12-03T10:00:00.000Z', '2026-12-01T11:00:00.000Z', 'term-2')).produced();
    expect(scheduled(again).shredId).toBe('termination:term-2');
  });
});

describe('tenant decider: executing, cancelling and verifying', () => {
  const base = (): TenantEvent[] => [
    ...onboarded(),
    ...given(onboarded()).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).produced(),
  ];
  const shredId = 'termination:term-1';
  // executeAt = end of Fri 4 Dec; deadline = end of Wed 9 Dec (London = UTC in winter).
  const started = (): TenantEvent[] => [...base(), { type: 'ShredExecutionStarted', data: { shredId, at: '2026-12-05T00:00:00.000Z' } }];
  const destroyed = (): TenantEvent[] => [
    ...started(),
    { type: 'KeyDestroyed', data: { shredId, keyId: 'key-1', versions: [{ keyVersionId: 'kv-1', unusableAt: '2026-12-05T00:00:01.000Z', purgedAt: '2026-12-05T00:00:01.000Z' }], at: '2026-12-05T00:00:01.000Z' } },
  ];
  const purged = (): TenantEvent[] => [...destroyed(), { type: 'AssetsPurged', data: { shredId, assets: [], at: '2026-12-05T00:00:02.000Z' } }];

  it('cancels a scheduled shred', () => {
    given(base())
      .when({ type: 'CancelShred', data: { reason: 'contract renewed' } }, at('2026-12-03T09:00:00.000Z'))
      .then([{ type: 'ShredCancelled', data: { shredId, reason: 'contract renewed', at: '2026-12-03T09:00:00.000Z' } }]);
  });

  it('refuses to cancel once execution has started, and when nothing is scheduled', () => {
    given(started()).when({ type: 'CancelShred', data: { reason: 'too late' } }).thenRejects('shred-already-executed');
    given(onboarded()).when({ type: 'CancelShred', data: { reason: 'nothing' } }).thenRejects('no-shred-scheduled');
  });

  it('starts execution only at executeAt, once', () => {
    given(base()).when({ type: 'StartShredExecution', data: { shredId } }, at('2026-12-04T23:59:59.998Z')).thenRejects('shred-not-due');
    given(base())
      .when({ type: 'StartShredExecution', data: { shredId } }, at('2026-12-04T23:59:59.999Z'))
      .then([{ type: 'ShredExecutionStarted', data: { shredId, at: '2026-12-04T23:59:59.999Z' } }]);
    given(started()).when({ type: 'StartShredExecution', data: { shredId } }).thenNothing();
  });

  it('records the key destruction once', () => {
    const cmd = { type: 'RecordKeyDestroyed' as const, data: { shredId, keyId: 'key-1', versions: [] } };
    given(base()).when(cmd).thenRejects('shred-not-started');
    expect(given(started()).when(cmd, at('2026-12-05T00:00:01.000Z')).produced().map((e) => e.type)).toEqual(['KeyDestroyed']);
    given(destroyed()).when(cmd).thenNothing();
  });

  it('verifies when every database fails to read because the key is destroyed', () => {
    given(purged())
      .when(
        { type: 'RecordProbe', data: { shredId, results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: 'key version destroyed' }, { databaseId: 'db-2', outcome: 'key-destroyed', detail: 'key version destroyed' }] } },
        at('2026-12-05T00:00:03.000Z'),
      )
      .then([
        {
          type: 'ShredProbeRecorded',
          data: {
            shredId,
            attempt: 1,
            outcome: 'key-destroyed',
            results: [
              { databaseId: 'db-1', outcome: 'key-destroyed', detail: 'key version destroyed' },
              { databaseId: 'db-2', outcome: 'key-destroyed', detail: 'key version destroyed' },
            ],
            at: '2026-12-05T00:00:03.000Z',
          },
        },
        { type: 'ShredVerified', data: { shredId, attempt: 1, at: '2026-12-05T00:00:03.000Z' } },
      ]);
  });

  it('never counts an inconclusive probe as a pass, and alerts when data is still readable', () => {
    const inconclusive = given(purged())
      .when({ type: 'RecordProbe', data: { shredId, results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: '' }, { databaseId: 'db-2', outcome: 'inconclusive', detail: 'timeout' }] } })
      .produced();
    expect(inconclusive.map((e) => e.type)).toEqual(['ShredProbeRecorded']);
    const readable = given([...purged(), ...inconclusive])
      .when({ type: 'RecordProbe', data: { shredId, results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: '' }, { databaseId: 'db-2', outcome: 'readable', detail: 'sentinel decrypted' }] } })
      .produced();
    expect(readable.map((e) => e.type)).toEqual(['ShredProbeRecorded', 'ShredVerificationFailed']);
    expect(readable[1]).toMatchObject({ data: { attempt: 2, readableDatabases: ['db-2'] } });
  });

  it('refuses a probe before the key is destroyed and assets purged', () => {
    given(destroyed()).when({ type: 'RecordProbe', data: { shredId, results: [] } }).thenRejects('shred-not-executed');
  });

  it('records a breach when the deadline passes unverified, once', () => {
    const check = { type: 'CheckShredDeadline' as const, data: { shredId } };
    given(purged()).when(check, at('2026-12-09T23:59:59.999Z')).thenNothing();
    given(purged())
      .when(check, at('2026-12-10T00:00:00.000Z'))
      .then([{ type: 'ShredDeadlineBreached', data: { shredId, cause: 'not-verified-by-deadline', deadline: '2026-12-09T23:59:59.999Z', at: '2026-12-10T00:00:00.000Z' } }]);
    const breached: TenantEvent[] = [...purged(), { type: 'ShredDeadlineBreached', data: { shredId, cause: 'not-verified-by-deadline', deadline: '2026-12-09T23:59:59.999Z', at: '2026-12-10T00:00:00.000Z' } }];
    given(breached).when(check, at('2026-12-11T00:00:00.000Z')).thenNothing();
    given([...purged(), { type: 'ShredVerified', data: { shredId, attempt: 1, at: '2026-12-05T00:00:03.000Z' } }]).when(check, at('2026-12-11T00:00:00.000Z')).thenNothing();
  });

  it('records no second breach at the deadline when the notice itself was late', () => {
    const late: TenantEvent[] = [...purged(), { type: 'ShredDeadlineBreached', data: { shredId, cause: 'late-notification', deadline: '2026-12-09T23:59:59.999Z', at: '2026-12-10T09:00:00.000Z' } }];
    given(late).when({ type: 'CheckShredDeadline', data: { shredId } }, at('2026-12-11T00:00:00.000Z')).thenNothing();
  });

  it('counts consecutive failures of a step', () => {
    const fail = { type: 'RecordShredStepFailure' as const, data: { shredId, step: 'destroy-keys' as const, error: 'VaultUnavailableError' } };
    const once = given(started()).when(fail, at('2026-12-05T00:01:00.000Z')).produced();
    expect(once).toEqual([{ type: 'ShredStepFailed', data: { shredId, step: 'destroy-keys', failure: 1, error: 'VaultUnavailableError', at: '2026-12-05T00:01:00.000Z' } }]);
    expect(given([...started(), ...once]).when(fail).produced()[0]).toMatchObject({ data: { failure: 2 } });
  });
});

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
    rotationPeriodDays: 365,
    pitrRetentionDays: 35,
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
  it('records the tenant and the databases its key ring is to protect (the ring records the key)', () => {
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
            rotationPeriodDays: 90,
            pitrRetentionDays: 7,
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
            rotationPeriodDays: 90,
            pitrRetentionDays: 7,
            at: '2026-11-02T08:00:00.000Z',
          },
        },
      ]);
  });

  it('refuses a tenant that exists with another profile, and answers the same request again with nothing new', () => {
    const profile = (onboarded()[0] as Extract<TenantEvent, { type: 'TenantOnboarded' }>).data;
    const { at: _at, ...same } = profile;
    given(onboarded()).when({ type: 'OnboardTenant', data: { ...same, databases: [...same.databases].map((d) => ({ ...d })) } }).thenNothing();
    given(onboarded()).when({ type: 'OnboardTenant', data: { ...same, jurisdiction: 'FR' } }).thenRejects('tenant-exists');
    given(onboarded()).when({ type: 'OnboardTenant', data: { ...same, databases: [{ databaseId: 'db-9' }] } }).thenRejects('tenant-exists');
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

  it('records a second, distinct trigger as joining the scheduled shred, and schedules nothing', () => {
    given(first())
      .when(terminate('2026-12-03T10:00:00.000Z', '2026-12-01T09:30:00.000Z', 'term-2'), at('2026-12-01T09:30:00.000Z'))
      .then([
        {
          type: 'ShredTriggerRecorded',
          data: {
            trigger: { kind: 'termination', terminationId: 'term-2', contractId: 'c-1' },
            effectiveAt: '2026-12-03T10:00:00.000Z',
            receivedAt: '2026-12-01T09:30:00.000Z',
            disposition: 'already-scheduled',
            shredId: 'termination:term-1',
            at: '2026-12-01T09:30:00.000Z',
          },
        },
      ]);
  });

  // P4: each trigger within 5 working days of its own effective instant, so the earliest deadline wins.
  // first(): term-1 effective Wed 2 Dec 10:00 → executeAt end of Fri 4 Dec, deadline end of Wed 9 Dec.
  const request = (requestId: string, receivedAt: string): ScheduleShred => ({
    type: 'ScheduleShred',
    data: { trigger: { kind: 'deletion-request', requestId }, effectiveAt: receivedAt, receivedAt },
  });
  const stateAfter = (events: readonly TenantEvent[]) => events.reduce(tenantDecider.evolve, tenantDecider.initialState);

  it('moves a scheduled shred earlier for a trigger owed an earlier deadline, which joins it', () => {
    const events = given(first()).when(request('req-early', '2026-12-01T09:30:00.000Z'), at('2026-12-01T09:30:00.000Z')).produced();
    expect(events).toEqual([
      {
        type: 'ShredAdvanced',
        data: {
          shredId: 'termination:term-1',
          trigger: { kind: 'deletion-request', requestId: 'req-early' },
          effectiveAt: '2026-12-01T09:30:00.000Z',
          receivedAt: '2026-12-01T09:30:00.000Z',
          // Tue 1 Dec never counts: Wed 2 … Tue 8 Dec; grace 2 working days: end of Thu 3 Dec.
          deadline: '2026-12-08T23:59:59.999Z',
          executeAt: '2026-12-03T23:59:59.999Z',
          previousDeadline: '2026-12-09T23:59:59.999Z',
          previousExecuteAt: '2026-12-04T23:59:59.999Z',
          calendar: expect.objectContaining({ jurisdiction: 'GB-ENG', timeZone: 'Europe/London' }),
          at: '2026-12-01T09:30:00.000Z',
        },
      },
    ]);
    const state = stateAfter([...first(), ...events]);
    expect(state.shred).toMatchObject({ shredId: 'termination:term-1', status: 'scheduled', deadline: '2026-12-08T23:59:59.999Z', executeAt: '2026-12-03T23:59:59.999Z' });
    // A replay of it changes nothing; a cancel still withdraws the shred with every trigger before it.
    given([...first(), ...events]).when(request('req-early', '2026-12-01T09:30:00.000Z')).thenNothing();
    const cancel = given([...first(), ...events])
      .when({ type: 'CancelShred', data: { reason: 'sent in error', contractRevision: null } }, at('2026-12-01T10:00:00.000Z'))
      .produced();
    expect(cancel.map((e) => e.type)).toEqual(['ShredCancelled']);
  });

  it('a late notice joining a scheduled shred executes it at once and records its breach', () => {
    // Effective Fri 20 Nov: its own deadline was the end of Fri 27 Nov, before it arrived on 1 Dec.
    const late = terminate('2026-11-20T10:00:00.000Z', '2026-12-01T09:30:00.000Z', 'term-late');
    const events = given(first()).when(late, at('2026-12-01T09:30:00.000Z')).produced();
    expect(events.map((e) => e.type)).toEqual(['ShredAdvanced', 'ShredDeadlineBreached']);
    expect(events[0]!.data).toMatchObject({ deadline: '2026-11-27T23:59:59.999Z', executeAt: '2026-12-01T09:30:00.000Z' });
    expect(events[1]).toEqual({
      type: 'ShredDeadlineBreached',
      data: { shredId: 'termination:term-1', cause: 'late-notification', deadline: '2026-11-27T23:59:59.999Z', at: '2026-12-01T09:30:00.000Z' },
    });
  });

  it('a trigger owed a later deadline joins without moving the shred; one arriving while it executes only joins', () => {
    given(first())
      .when(request('req-later', '2026-12-07T09:00:00.000Z'), at('2026-12-07T09:00:00.000Z'))
      .then([
        {
          type: 'ShredTriggerRecorded',
          data: {
            trigger: { kind: 'deletion-request', requestId: 'req-later' },
            effectiveAt: '2026-12-07T09:00:00.000Z',
            receivedAt: '2026-12-07T09:00:00.000Z',
            disposition: 'already-scheduled',
            shredId: 'termination:term-1',
            at: '2026-12-07T09:00:00.000Z',
          },
        },
      ]);
    const executing: TenantEvent[] = [...first(), { type: 'ShredExecutionStarted', data: { shredId: 'termination:term-1', at: '2026-12-05T00:00:00.000Z' } }];
    const joined = given(executing).when(terminate('2026-11-20T10:00:00.000Z', '2026-12-05T00:00:01.000Z', 'term-late'), at('2026-12-05T00:00:01.000Z')).produced();
    expect(joined).toMatchObject([{ type: 'ShredTriggerRecorded', data: { disposition: 'already-scheduled', shredId: 'termination:term-1' } }]);
  });

  it.each(['9999-12-31T23:59:59Z', '1000-01-01T00:00:00Z', '0000-01-01T00:00:00Z'])(
    'refuses an effective instant the calendar does not cover (%s), naming effectiveAt, instead of throwing a RangeError',
    (effectiveAt) => {
      const outcome = given(onboarded()).when(terminate(effectiveAt, '2026-12-01T09:00:00.000Z'));
      outcome.thenRejects('instant-outside-calendar');
      let field: string | undefined;
      try {
        outcome.produced();
      } catch (error) {
        field = (error as { field?: string }).field;
      }
      expect(field).toBe('effectiveAt');
    },
  );

  it('refuses a tenant that does not exist', () => {
    given([]).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).thenRejects('tenant-not-found');
  });

  it('schedules again after a cancellation, for a new trigger only', () => {
    const cancelled: TenantEvent[] = [
      ...first(),
      { type: 'ShredCancelled', data: { shredId: 'termination:term-1', reason: 'sent in error', withdrawsContractRevision: 0, at: '2026-12-01T10:00:00.000Z' } },
    ];
    given(cancelled).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).thenNothing();
    const again = given(cancelled).when(terminate('2026-12-03T10:00:00.000Z', '2026-12-01T11:00:00.000Z', 'term-2')).produced();
    expect(scheduled(again).shredId).toBe('termination:term-2');
  });

  describe('a cancel withdraws every trigger received before it (P4), whenever it is processed', () => {
    const fromContract = (terminationId: string, revision: number, receivedAt: string): ScheduleShred => ({
      type: 'ScheduleShred',
      data: { trigger: { kind: 'termination', terminationId, contractId: 'c-1' }, effectiveAt: '2026-12-03T10:00:00.000Z', receivedAt, contractRevision: revision },
    });
    const cancel = (contractRevision: number | null) =>
      ({ type: 'ShredCancelled', data: { shredId: 'termination:term-1', reason: 'renewed', withdrawsContractRevision: contractRevision, at: '2026-12-01T10:00:00.000Z' } }) as const;

    it('given term-2 joined the shred before the cancel, when its contract event is processed after it, then nothing is scheduled', () => {
      const joined = given(first()).when(terminate('2026-12-03T10:00:00.000Z', '2026-12-01T09:30:00.000Z', 'term-2')).produced();
      given([...first(), ...joined, cancel(1)]).when(fromContract('term-2', 1, '2026-12-01T09:30:00.000Z'), at('2026-12-01T10:00:05.000Z')).thenNothing();
    });

    it('given term-2 was stored in the contract stream before the cancel but not yet processed, then it is recorded as withdrawn', () => {
      const events = given([...first(), cancel(1)]).when(fromContract('term-2', 1, '2026-12-01T10:00:05.000Z'), at('2026-12-01T10:00:05.000Z')).produced();
      expect(events).toEqual([
        expect.objectContaining({ type: 'ShredTriggerRecorded', data: expect.objectContaining({ disposition: 'withdrawn', shredId: null }) }),
      ]);
    });

    it('given the notice says it was received before the cancel, then it is withdrawn even if stored after', () => {
      const events = given([...first(), cancel(0)]).when(fromContract('term-2', 1, '2026-12-01T09:59:59.999Z')).produced();
      expect(events.map((e) => e.type)).toEqual(['ShredTriggerRecorded']);
    });

    it('given a trigger stored and received after the cancel, then it schedules a new shred', () => {
      const events = given([...first(), cancel(0)]).when(fromContract('term-2', 1, '2026-12-01T10:00:00.000Z'), at('2026-12-01T10:00:01.000Z')).produced();
      expect(scheduled(events).shredId).toBe('termination:term-2');
    });

    it('given a cancel of a tenant with no contract stream, then a later contract event schedules', () => {
      const events = given([...first(), cancel(null)]).when(fromContract('term-2', 0, '2026-12-01T11:00:00.000Z')).produced();
      expect(scheduled(events).shredId).toBe('termination:term-2');
    });
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
    { type: 'KeyDestroyed', data: { shredId, keyId: 'key-1', versions: [{ keyVersionId: 'kv-1', unusableAt: '2026-12-05T00:00:01.000Z', purgedAt: '2026-12-05T00:00:01.000Z', purgeExpectedAt: null }], at: '2026-12-05T00:00:01.000Z' } },
  ];
  const purged = (): TenantEvent[] => [...destroyed(), { type: 'AssetsPurged', data: { shredId, assets: [], at: '2026-12-05T00:00:02.000Z' } }];

  it('cancels a scheduled shred', () => {
    given(base())
      .when({ type: 'CancelShred', data: { reason: 'contract renewed', contractRevision: 3 } }, at('2026-12-03T09:00:00.000Z'))
      .then([{ type: 'ShredCancelled', data: { shredId, reason: 'contract renewed', withdrawsContractRevision: 3, at: '2026-12-03T09:00:00.000Z' } }]);
  });

  it('refuses to cancel once execution has started, and when nothing is scheduled', () => {
    given(started()).when({ type: 'CancelShred', data: { reason: 'too late', contractRevision: null } }).thenRejects('shred-already-executed');
    given(onboarded()).when({ type: 'CancelShred', data: { reason: 'nothing', contractRevision: null } }).thenRejects('no-shred-scheduled');
  });

  it('forces a scheduled shred to execute now under a grant (its deadline stays), then starts it at once', () => {
    const grantId = '3f0c9a57-2d1e-4b6a-9c8d-7e6f5a4b3c2d';
    const forced: TenantEvent = { type: 'ShredExecutionForced', data: { shredId, executeAt: '2026-12-02T10:00:00.000Z', previousExecuteAt: '2026-12-04T23:59:59.999Z', grantId, at: '2026-12-02T10:00:00.000Z' } };
    given(base()).when({ type: 'ExecuteShredNow', data: { grantId } }, at('2026-12-02T10:00:00.000Z')).then([forced]);
    given([...base(), forced])
      .when({ type: 'StartShredExecution', data: { shredId } }, at('2026-12-02T10:00:00.000Z'))
      .then([{ type: 'ShredExecutionStarted', data: { shredId, at: '2026-12-02T10:00:00.000Z' } }]);
    // Already due: nothing to force.
    given(base()).when({ type: 'ExecuteShredNow', data: { grantId } }, at('2026-12-05T00:00:00.000Z')).thenNothing();
    given(started()).when({ type: 'ExecuteShredNow', data: { grantId } }).thenRejects('shred-already-executed');
    given(onboarded()).when({ type: 'ExecuteShredNow', data: { grantId } }).thenRejects('no-shred-scheduled');
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
        { type: 'RecordProbe', data: { shredId, databases: ['db-1', 'db-2'], results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: 'key version destroyed' }, { databaseId: 'db-2', outcome: 'key-destroyed', detail: 'key version destroyed' }] } },
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

  it('given the deadline passed before the probe (an outage, or the deadline timer not fired yet), when the probe verifies, then the breach is recorded before ShredVerified, once', () => {
    const probe = { type: 'RecordProbe' as const, data: { shredId, databases: ['db-1', 'db-2'], results: [{ databaseId: 'db-1', outcome: 'key-destroyed' as const, detail: '' }, { databaseId: 'db-2', outcome: 'key-destroyed' as const, detail: '' }] } };
    const late = given(purged()).when(probe, at('2026-12-10T00:00:00.000Z')).produced();
    expect(late.map((e) => e.type)).toEqual(['ShredProbeRecorded', 'ShredDeadlineBreached', 'ShredVerified']);
    expect(late[1]).toEqual({ type: 'ShredDeadlineBreached', data: { shredId, cause: 'not-verified-by-deadline', deadline: '2026-12-09T23:59:59.999Z', at: '2026-12-10T00:00:00.000Z' } });
    // Already breached (the deadline timer fired first): not twice.
    const breached: TenantEvent[] = [...purged(), { type: 'ShredDeadlineBreached', data: { shredId, cause: 'not-verified-by-deadline', deadline: '2026-12-09T23:59:59.999Z', at: '2026-12-10T00:00:00.000Z' } }];
    expect(given(breached).when(probe, at('2026-12-10T00:05:00.000Z')).produced().map((e) => e.type)).toEqual(['ShredProbeRecorded', 'ShredVerified']);
    // At the deadline's last millisecond it is still in time.
    expect(given(purged()).when(probe, at('2026-12-09T23:59:59.999Z')).produced().map((e) => e.type)).toEqual(['ShredProbeRecorded', 'ShredVerified']);
  });

  it('never counts an inconclusive probe as a pass, and alerts when data is still readable', () => {
    const inconclusive = given(purged())
      .when({ type: 'RecordProbe', data: { shredId, databases: ['db-1', 'db-2'], results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: '' }, { databaseId: 'db-2', outcome: 'inconclusive', detail: 'timeout' }] } })
      .produced();
    expect(inconclusive.map((e) => e.type)).toEqual(['ShredProbeRecorded']);
    const readable = given([...purged(), ...inconclusive])
      .when({ type: 'RecordProbe', data: { shredId, databases: ['db-1', 'db-2'], results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: '' }, { databaseId: 'db-2', outcome: 'readable', detail: 'sentinel decrypted' }] } })
      .produced();
    expect(readable.map((e) => e.type)).toEqual(['ShredProbeRecorded', 'ShredVerificationFailed']);
    expect(readable[1]).toMatchObject({ data: { attempt: 2, readableDatabases: ['db-2'] } });
  });

  it('refuses a probe before the key is destroyed and assets purged', () => {
    given(destroyed()).when({ type: 'RecordProbe', data: { shredId, databases: ['db-1'], results: [] } }).thenRejects('shred-not-executed');
  });

  it('verifies only when every database the key ring knows was probed key-destroyed (one added after onboarding included)', () => {
    const probe = (results: { databaseId: string; outcome: 'key-destroyed' }[]) =>
      given(purged())
        .when({ type: 'RecordProbe', data: { shredId, databases: ['db-1', 'db-2', 'db-added-later'], results: results.map((r) => ({ ...r, detail: '' })) } })
        .produced()
        .map((e) => e.type);
    expect(probe([{ databaseId: 'db-1', outcome: 'key-destroyed' }, { databaseId: 'db-2', outcome: 'key-destroyed' }])).toEqual(['ShredProbeRecorded']);
    expect(
      probe([
        { databaseId: 'db-1', outcome: 'key-destroyed' },
        { databaseId: 'db-2', outcome: 'key-destroyed' },
        { databaseId: 'db-added-later', outcome: 'key-destroyed' },
      ]),
    ).toEqual(['ShredProbeRecorded', 'ShredVerified']);
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

describe('tenant decider: deletion windows of the key vault (P4)', () => {
  const profile = (grace: number): OnboardTenant => ({
    type: 'OnboardTenant',
    data: {
      tenantId: 'acme',
      jurisdiction: 'GB-ENG',
      timeZone: 'Europe/London',
      excludedHolidayTypes: ['public', 'bank'],
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      databases: [{ databaseId: 'db-1' }],
      shredGraceWorkingDays: grace,
      rotationPeriodDays: 365,
      pitrRetentionDays: 35,
    },
  });
  const vault = (minDaysToUnusable: number, minDaysToPurged = minDaysToUnusable): TenantContext => ({
    ...at('2026-11-02T08:00:00.000Z'),
    vaultDeletion: { vault: 'slow-vault', minDaysToUnusable, minDaysToPurged, settings: ['SLOW_VAULT_DELAY_DAYS'] },
  });

  it('given a vault that makes a key unusable at once but purges after 90 days, when a tenant is onboarded, then it is (the purge is recorded later)', () => {
    expect(given([]).when(profile(4), vault(0, 90)).produced().map((e) => e.type)).toEqual(['TenantOnboarded']);
  });

  it('given a vault needing 2 days to make a key unusable, when the grace leaves at least 2 days before the deadline, then the tenant is onboarded', () => {
    expect(given([]).when(profile(3), vault(2)).produced().map((e) => e.type)).toEqual(['TenantOnboarded']);
  });

  it('given a vault needing 2 days, when the grace leaves as little as 1 day (4 working days of grace), then it is refused naming the grace and the vault setting', () => {
    given([]).when(profile(4), vault(2)).thenRejects('vault-deletion-window');
    const refused = (() => {
      try {
        given([]).when(profile(4), vault(2)).produced();
      } catch (error) {
        return error as { field?: string; message: string };
      }
      throw new Error('expected a refusal');
    })();
    expect(refused.field).toBe('shredGraceWorkingDays');
    expect(refused.message).toContain('SLOW_VAULT_DELAY_DAYS');
    expect(refused.message).toContain('only 1 days before its deadline');
    expect(refused.message).toContain('a grace of at most 3 working days');
  });

  it('given a vault needing more than the whole promise, then no grace helps: the refusal names only the vault setting', () => {
    given([]).when(profile(0), vault(6)).thenRejects('vault-deletion-window');
  });

  it('given a tenant already onboarded, when the same body comes again after the vault changed, then it is answered as before', () => {
    const events = [...tenantDecider.decide(profile(4), tenantDecider.initialState, at('2026-11-02T08:00:00.000Z'))];
    given(events).when(profile(4), vault(2)).thenNothing();
  });
});

describe('tenant decider: a purge after the promise', () => {
  const shredId = 'termination:term-1';
  const destroyedAt = '2026-12-05T00:00:01.000Z';
  const expected = '2027-03-05T00:00:01.000Z';
  const destroyedLater = (): TenantEvent[] => [
    ...onboarded(),
    ...given(onboarded()).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).produced(),
    { type: 'ShredExecutionStarted', data: { shredId, at: '2026-12-05T00:00:00.000Z' } },
    {
      type: 'KeyDestroyed',
      data: {
        shredId,
        keyId: 'key-1',
        versions: [
          { keyVersionId: 'kv-1', unusableAt: '2026-11-20T00:00:00.000Z', purgedAt: null, purgeExpectedAt: null },
          { keyVersionId: 'kv-2', unusableAt: destroyedAt, purgedAt: null, purgeExpectedAt: expected },
        ],
        at: destroyedAt,
      },
    },
  ];
  const purge = (versions: { keyVersionId: string; purgedAt: string }[]) => ({ type: 'RecordKeyMaterialPurged' as const, data: { shredId, versions } });

  it('given a key the vault has not purged yet, when the vault reports only some versions purged, then nothing is recorded', () => {
    given(destroyedLater()).when(purge([{ keyVersionId: 'kv-2', purgedAt: expected }])).thenNothing();
  });

  it('given every version reported purged, then KeyMaterialPurged is recorded once, with each purge instant', () => {
    const versions = [
      { keyVersionId: 'kv-1', purgedAt: expected },
      { keyVersionId: 'kv-2', purgedAt: '2027-03-05T02:00:00.000Z' },
    ];
    const events = given(destroyedLater()).when(purge(versions), at('2027-03-05T03:00:00.000Z')).produced();
    expect(events).toEqual([{ type: 'KeyMaterialPurged', data: { shredId, keyId: 'key-1', versions, at: '2027-03-05T03:00:00.000Z' } }]);
    const after = given([...destroyedLater(), ...events]);
    expect(after.state.shred?.keyMaterialPurgedAt).toBe('2027-03-05T02:00:00.000Z');
    after.when(purge(versions)).thenNothing();
  });

  it('given a vault that purged at destroy, then the material counts as purged with the key and nothing is to be confirmed', () => {
    const state = given([
      ...onboarded(),
      ...given(onboarded()).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).produced(),
      { type: 'ShredExecutionStarted', data: { shredId, at: destroyedAt } },
      { type: 'KeyDestroyed', data: { shredId, keyId: 'key-1', versions: [{ keyVersionId: 'kv-1', unusableAt: destroyedAt, purgedAt: destroyedAt, purgeExpectedAt: null }], at: destroyedAt } },
    ]).state;
    expect(state.shred?.keyMaterialPurgedAt).toBe(destroyedAt);
  });

  it('refuses a purge record before the key is destroyed', () => {
    given([...onboarded(), ...given(onboarded()).when(terminate('2026-12-02T10:00:00.000Z', '2026-12-01T09:00:00.000Z')).produced()])
      .when(purge([]))
      .thenRejects('keys-not-destroyed');
  });
});

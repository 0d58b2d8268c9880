// What /v1/calendars/{jurisdiction} answers: the presenters (calendar.presenter.ts) are typed with
// these schemas and the OpenAPI document shows them (@Answer), so the two cannot drift.
import { z } from 'zod';
import type { AnswerOf } from '../../http/index.js';

const instant = z.string().describe('ISO 8601 instant, UTC');
const localDate = z.string().describe('YYYY-MM-DD');

export const overrideAnswer = z.strictObject({
  overrideId: z.string().describe('`<jurisdiction>:<date>:<n>`'),
  jurisdiction: z.string(),
  date: localDate,
  kind: z.enum(['working', 'off']),
  reason: z.string(),
  declaredBy: z.strictObject({ role: z.string(), subject: z.string().optional() }).describe('The role that declared it'),
  declaredAt: instant,
});

export const withdrawnAnswer = z.strictObject({ withdrawn: overrideAnswer });

export const daysAnswer = z.strictObject({
  jurisdiction: z.string(),
  from: localDate,
  to: localDate,
  timeZone: z.string().nullable(),
  partialHolidays: z.string(),
  days: z.array(
    z.strictObject({
      date: localDate,
      weekday: z.number().int().describe('ISO weekday, 1 = Monday'),
      working: z.boolean(),
      reasons: z.array(z.looseObject({ kind: z.string().describe('`nonexistent`, `weekend`, `holiday`, `partial-holiday` or an override') })),
    }),
  ),
  overrides: z.array(overrideAnswer),
});

export const deadlineAnswer = z.strictObject({
  jurisdiction: z.string(),
  from: instant,
  workingDays: z.number().int(),
  deadline: instant.describe('End (23:59:59.999 local) of the n-th working day after from\'s local date'),
  startDate: localDate,
  countedDays: z.array(localDate),
  timeZone: z.string(),
  partialHolidays: z.string(),
  weekends: z.array(z.strictObject({ days: z.array(z.number().int()), from: localDate.nullable(), until: localDate.nullable(), source: z.string().describe('`CLDR` or the law that changed it') })),
  overrideIds: z.array(z.string()),
});

export type OverrideAnswer = AnswerOf<typeof overrideAnswer>;
export type DaysAnswer = AnswerOf<typeof daysAnswer>;
export type DeadlineAnswer = AnswerOf<typeof deadlineAnswer>;

const OVERRIDE = {
  overrideId: 'CN:2026-02-16:1',
  jurisdiction: 'CN',
  date: '2026-02-16',
  kind: 'off',
  reason: 'Spring Festival 2026 (State Council notice)',
  declaredBy: { role: 'operator' },
  declaredAt: '2026-01-05T09:00:00.000Z',
} as const;

export const EXAMPLES = {
  override: OVERRIDE,
  withdrawn: { withdrawn: OVERRIDE },
  days: {
    jurisdiction: 'GB-ENG',
    from: '2026-12-25',
    to: '2026-12-26',
    timeZone: null,
    partialHolidays: 'working',
    days: [
      { date: '2026-12-25', weekday: 5, working: false, reasons: [{ kind: 'holiday', name: 'Christmas Day', type: 'public' }] },
      { date: '2026-12-26', weekday: 6, working: false, reasons: [{ kind: 'weekend', weekend: [6, 7] }, { kind: 'holiday', name: 'Boxing Day', type: 'public' }] },
    ],
    overrides: [],
  },
  deadline: {
    jurisdiction: 'CN',
    from: '2026-02-11T02:00:00.000Z',
    workingDays: 5,
    deadline: '2026-02-25T15:59:59.999Z',
    startDate: '2026-02-11',
    countedDays: ['2026-02-12', '2026-02-13', '2026-02-14', '2026-02-24', '2026-02-25'],
    timeZone: 'Asia/Shanghai',
    partialHolidays: 'working',
    weekends: [{ days: [6, 7], from: null, until: null, source: 'CLDR' }],
    overrideIds: ['CN:2026-02-14:1'],
  },
} as const;

/**
 * Property tests of the deadline rule (ARCHITECTURE.md §2) against an independent oracle: a day-by-day walk
 * that marks a local day off when a public or bank holiday's own interval (the start/end instants
 * date-holidays gives) overlaps it, and reads local wall time with Intl, not luxon.
 *
 * getHolidays costs ~10 ms a call, so the calendar under test and the oracle read the same memoized
 * date-holidays output (the calendar through an injected source); what each makes of it is independent.
 */
import Holidays from 'date-holidays';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { HolidayCache } from './holiday-cache.js';
import type { HolidaySourceFactory } from './holiday-source.js';
import { WorkingDayCalendar } from './working-days.js';

const JURISDICTIONS = ['GB-ENG', 'GB-SCT', 'DE-BY', 'US-NY', 'JP', 'FR', 'IE'] as const;
type Code = (typeof JURISDICTIONS)[number];
const EXCLUDED = new Set(['public', 'bank']);
const MIN = Date.UTC(2020, 0, 1);
const MAX = Date.UTC(2035, 11, 31, 23, 59, 59, 999);
const DAY = 86_400_000;
const HOUR = 3_600_000;

// ---- oracle ------------------------------------------------------------------------------------------

interface OracleJurisdiction {
  readonly holidays: Holidays;
  readonly zone: string;
  readonly format: Intl.DateTimeFormat;
  /** Raw getHolidays output per year, shared with the calendar under test. */
  readonly raw: Map<number, ReturnType<Holidays['getHolidays']>>;
  readonly years: Map<number, { start: number; end: number }[]>;
  readonly dayStarts: Map<string, number>;
  readonly days: Map<string, boolean>;
}

const oracles = new Map<Code, OracleJurisdiction>();

function oracleOf(code: Code): OracleJurisdiction {
  let oracle = oracles.get(code);
  if (!oracle) {
    const [country, state] = code.split('-');
    const holidays = state ? new Holidays(country, state) : new Holidays(country);
    const zone = holidays.getTimezones()[0];
    const format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      fractionalSecondDigits: 3,
      hourCycle: 'h23',
    });
    oracle = { holidays, zone, format, raw: new Map(), years: new Map(), dayStarts: new Map(), days: new Map() };
    oracles.set(code, oracle);
  }
  return oracle;
}

/** Local wall time of `instant` where `code` is: 'YYYY-MM-DD hh:mm:ss.SSS'. */
function wallTime(code: Code, instant: number): string {
  const parts = Object.fromEntries(
    oracleOf(code)
      .format.formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}.${parts.fractionalSecond}`;
}

function rawHolidays(code: Code, year: number): ReturnType<Holidays['getHolidays']> {
  const oracle = oracleOf(code);
  let holidays = oracle.raw.get(year);
  if (!holidays) {
    holidays = oracle.holidays.getHolidays(year);
    oracle.raw.set(year, holidays);
  }
  return holidays;
}

/** The calendar under test reads the oracle's memoized date-holidays output (same zone: the default). */
const sharedSource: HolidaySourceFactory = ({ country, subdivision }, timeZone) => {
  const code = (subdivision ? `${country}-${subdivision}` : country) as Code;
  if (oracleOf(code).zone !== timeZone) throw new Error(`zone mismatch for ${code}: ${timeZone}`);
  return { getHolidays: (year) => rawHolidays(code, year) };
};

function excludedIntervals(code: Code, year: number): { start: number; end: number }[] {
  const oracle = oracleOf(code);
  let intervals = oracle.years.get(year);
  if (!intervals) {
    intervals = rawHolidays(code, year)
      .filter((holiday) => EXCLUDED.has(holiday.type))
      .map((holiday) => ({ start: holiday.start.getTime(), end: holiday.end.getTime() }));
    oracle.years.set(year, intervals);
  }
  return intervals;
}

/** Civil date arithmetic on 'YYYY-MM-DD' (UTC noon avoids any zone). */
function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + DAY).toISOString().slice(0, 10);
}

function startOfDay(code: Code, date: string): number {
  const oracle = oracleOf(code);
  let start = oracle.dayStarts.get(date);
  if (start === undefined) {
    start = DateTime.fromISO(date, { zone: oracle.zone }).startOf('day').toMillis();
    oracle.dayStarts.set(date, start);
  }
  return start;
}

/** Mon–Fri, and no public/bank holiday of date-holidays overlaps any part of the local day. */
function oracleIsWorkingDay(code: Code, date: string): boolean {
  const oracle = oracleOf(code);
  let working = oracle.days.get(date);
  if (working === undefined) {
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    const dayStart = startOfDay(code, date);
    const dayEnd = startOfDay(code, nextDate(date));
    const year = Number(date.slice(0, 4));
    const holiday = [year - 1, year].some((y) => excludedIntervals(code, y).some(({ start, end }) => start < dayEnd && end > dayStart));
    working = weekday >= 1 && weekday <= 5 && !holiday;
    oracle.days.set(date, working);
  }
  return working;
}

// ---- generators --------------------------------------------------------------------------------------

/** Instants at which the jurisdiction's zone changes its UTC offset, 2020–2035. */
const transitions = new Map<Code, number[]>();

function transitionsOf(code: Code): number[] {
  let found = transitions.get(code);
  if (!found) {
    const zone = oracleOf(code).zone;
    const offset = (ms: number): number => DateTime.fromMillis(ms, { zone }).offset;
    found = [];
    // Weekly samples (offset changes are months apart), then bisection to the minute.
    for (let week = MIN; week < MAX; week += 7 * DAY) {
      if (offset(week) !== offset(week + 7 * DAY)) {
        let [low, high] = [week, week + 7 * DAY];
        while (high - low > 60_000) {
          const mid = Math.floor((low + high) / 2);
          if (offset(mid) === offset(low)) low = mid;
          else high = mid;
        }
        found.push(high);
      }
    }
    transitions.set(code, found);
  }
  return found;
}

const clamp = (ms: number): number => Math.min(MAX, Math.max(MIN, ms));

function instantIn(code: Code): fc.Arbitrary<number> {
  const uniform = fc.integer({ min: MIN, max: MAX });
  // Within 90 minutes of a local midnight, with exact ±1 ms hits included.
  const nearMidnight = fc
    .tuple(
      fc.integer({ min: 0, max: Math.floor((MAX - MIN) / DAY) }),
      fc.oneof(fc.integer({ min: -90 * 60_000, max: 90 * 60_000 }), fc.constantFrom(-1, 0, 1)),
    )
    .map(([days, delta]) => {
      const date = new Date(MIN + days * DAY).toISOString().slice(0, 10);
      return clamp(startOfDay(code, date) + delta);
    });
  const zoneTransitions = transitionsOf(code);
  const nearTransition =
    zoneTransitions.length === 0
      ? uniform
      : fc
          .tuple(fc.integer({ min: 0, max: zoneTransitions.length - 1 }), fc.integer({ min: -30 * HOUR, max: 30 * HOUR }))
          .map(([index, delta]) => clamp(zoneTransitions[index] + delta));
  return fc.oneof(uniform, nearMidnight, nearTransition);
}

const jurisdiction = fc.constantFrom(...JURISDICTIONS);
const workingDays = fc.integer({ min: 1, max: 15 });
const scenario = jurisdiction.chain((code) => fc.record({ code: fc.constant(code), instant: instantIn(code), n: workingDays }));

// ---- properties --------------------------------------------------------------------------------------

const calendar = new WorkingDayCalendar({ holidayCache: new HolidayCache(sharedSource) });
const NUM_RUNS = 300;

describe('addWorkingDays (properties, 2020–2035)', () => {
  it('ends at 23:59:59.999 local on a working day, exactly n working days after the local date of the instant', () => {
    fc.assert(
      fc.property(scenario, ({ code, instant, n }) => {
        const deadline = calendar.addWorkingDays(new Date(instant), n, code).getTime();
        const startDate = wallTime(code, instant).slice(0, 10);
        const end = wallTime(code, deadline);
        const endDate = end.slice(0, 10);

        // (a) the end of a working day, in local time; a millisecond later is the next day.
        expect(end.slice(11)).toBe('23:59:59.999');
        expect(wallTime(code, deadline + 1)).toBe(`${nextDate(endDate)} 00:00:00.000`);
        expect(oracleIsWorkingDay(code, endDate)).toBe(true);

        // (b) exactly n working days in (startDate, endDate].
        let counted = 0;
        for (let date = nextDate(startDate); date <= endDate; date = nextDate(date)) {
          if (oracleIsWorkingDay(code, date)) counted++;
        }
        expect(counted).toBe(n);
        expect(deadline).toBeGreaterThan(instant);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('is monotonic in the instant', () => {
    const pair = jurisdiction.chain((code) =>
      fc.record({
        code: fc.constant(code),
        n: workingDays,
        first: instantIn(code),
        // Often close to the first instant, where a bug at a day boundary would show.
        second: fc.oneof(instantIn(code), fc.integer({ min: -2 * DAY, max: 2 * DAY }).map((delta) => ({ delta }))),
      }),
    );
    fc.assert(
      fc.property(pair, ({ code, n, first, second }) => {
        const other = typeof second === 'number' ? second : clamp(first + second.delta);
        const [t1, t2] = first <= other ? [first, other] : [other, first];
        const r1 = calendar.addWorkingDays(new Date(t1), n, code).getTime();
        const r2 = calendar.addWorkingDays(new Date(t2), n, code).getTime();
        expect(r1).toBeLessThanOrEqual(r2);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('grows with n: one more working day ends at a later working day', () => {
    fc.assert(
      fc.property(scenario, ({ code, instant, n }) => {
        const shorter = calendar.addWorkingDays(new Date(instant), n, code).getTime();
        const longer = calendar.addWorkingDays(new Date(instant), n + 1, code).getTime();
        expect(longer).toBeGreaterThan(shorter);
        // …and n + 1 from the instant equals 1 from the end of the nth day.
        expect(calendar.addWorkingDays(new Date(shorter), 1, code).getTime()).toBe(longer);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/**
 * Property tests of the deadline rule (ARCHITECTURE.md §2) against an independent oracle: a day-by-day walk
 * that reads local wall time with Intl (not luxon) and decides each date by itself:
 * - it exists in the tenant's zone when some instant (hourly samples) shows it there;
 * - the weekend comes from a table written here by hand (not CLDR): Friday–Saturday (IL, SA, AE until
 *   2021), Thursday–Friday (SA until 28 June 2013), Friday only (IR), Saturday–Sunday elsewhere;
 * - a public or bank holiday makes a date off when its own interval (the start/end instants date-holidays
 *   gives) is already under way at the local start of that date; one that starts later that day (a partial
 *   holiday, on its own date) makes it off only with partialHolidays 'off';
 * - operator overrides (random, declared for the jurisdiction or its country) decide the dates they name,
 *   the jurisdiction's own declaration winning over its country's.
 *
 * getHolidays costs ~10 ms a call, so the calendar under test and the oracle read the same memoized
 * date-holidays output (the calendar through an injected source); what each makes of it is independent.
 */
import Holidays from 'date-holidays';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { CalendarOverride } from './calendar-override.js';
import { HolidayCache, type PartialHolidayRule } from './holiday-cache.js';
import type { HolidaySourceFactory } from './holiday-source.js';
import { WorkingDayCalendar } from './working-days.js';

const JURISDICTIONS = ['GB-ENG', 'GB-SCT', 'DE-BY', 'US-NY', 'JP', 'FR', 'IE', 'IL', 'SA', 'IR', 'AE', 'AU-SA', 'DE-BY-KATH', 'CU', 'CL', 'NZ'] as const;
type Code = (typeof JURISDICTIONS)[number];
/** Tenant time zones besides the jurisdiction's default: zones whose clocks change at midnight or skipped a date. */
const EXTRA_ZONES: Partial<Record<Code, readonly string[]>> = {
  NZ: ['Pacific/Apia'],
  IR: ['Asia/Tehran'],
  CL: ['America/Santiago'],
  CU: ['America/Havana'],
  'US-NY': ['America/Havana'],
};
const EXCLUDED = new Set(['public', 'bank']);
const MIN = Date.UTC(2010, 0, 1);
const MAX = Date.UTC(2035, 11, 31, 23, 59, 59, 999);
const DAY = 86_400_000;
const HOUR = 3_600_000;

// ---- oracle ------------------------------------------------------------------------------------------

interface Interval {
  readonly start: number;
  readonly end: number;
  /** The date part of date-holidays' `date`: the holiday's own date. */
  readonly date: string;
}

interface OracleJurisdiction {
  readonly holidays: Holidays;
  readonly zone: string;
  /** Raw getHolidays output per year, shared with the calendar under test. */
  readonly raw: Map<number, ReturnType<Holidays['getHolidays']>>;
  readonly years: Map<number, Interval[]>;
}

const oracles = new Map<Code, OracleJurisdiction>();

function oracleOf(code: Code): OracleJurisdiction {
  let oracle = oracles.get(code);
  if (!oracle) {
    const [country, state, region] = code.split('-');
    const holidays = region ? new Holidays(country, state, region) : state ? new Holidays(country, state) : new Holidays(country);
    oracle = { holidays, zone: holidays.getTimezones()[0], raw: new Map(), years: new Map() };
    oracles.set(code, oracle);
  }
  return oracle;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Local wall time of `instant` in `zone`: 'YYYY-MM-DD hh:mm:ss.SSS'. */
function wallTime(zone: string, instant: number): string {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
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
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
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
const sharedSource: HolidaySourceFactory = ({ country, subdivision, region }, timeZone) => {
  const code = [country, subdivision, region].filter(Boolean).join('-') as Code;
  if (oracleOf(code).zone !== timeZone) throw new Error(`zone mismatch for ${code}: ${timeZone}`);
  return { getHolidays: (year) => rawHolidays(code, year) };
};

function excludedIntervals(code: Code, year: number): Interval[] {
  const oracle = oracleOf(code);
  let intervals = oracle.years.get(year);
  if (!intervals) {
    intervals = rawHolidays(code, year)
      .filter((holiday) => EXCLUDED.has(holiday.type))
      .map((holiday) => ({ start: holiday.start.getTime(), end: holiday.end.getTime(), date: holiday.date.slice(0, 10) }));
    oracle.years.set(year, intervals);
  }
  return intervals;
}

/** Civil date arithmetic on 'YYYY-MM-DD' (UTC noon avoids any zone). */
function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + DAY).toISOString().slice(0, 10);
}

const dayStarts = new Map<string, number>();

/** First instant of local date `date` in `zone` (luxon; the holiday zone only). */
function startOfDay(zone: string, date: string): number {
  const key = `${zone}|${date}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    start = DateTime.fromISO(date, { zone }).startOf('day').toMillis();
    dayStarts.set(key, start);
  }
  return start;
}

const existence = new Map<string, boolean>();

/** Some hourly instant around the date shows it in `zone` (Intl). */
function exists(zone: string, date: string): boolean {
  const key = `${zone}|${date}`;
  let found = existence.get(key);
  if (found === undefined) {
    const utcMidnight = Date.parse(`${date}T00:00:00Z`);
    // UTC noon shows the date in every zone within ±12 h; the half-hourly walk settles the rest.
    found = wallTime(zone, utcMidnight + 12 * HOUR).startsWith(date);
    for (let t = utcMidnight - 15 * HOUR; t <= utcMidnight + 39 * HOUR && !found; t += HOUR / 2) found = wallTime(zone, t).startsWith(date);
    existence.set(key, found);
  }
  return found;
}

/** The weekend table of the oracle, by hand: ISO weekdays. */
function isWeekend(code: Code, date: string): boolean {
  const weekday = ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
  const country = code.slice(0, 2);
  if (country === 'SA' && date < '2013-06-29') return weekday === 4 || weekday === 5;
  if (country === 'IL' || country === 'SA' || (country === 'AE' && date < '2022-01-01')) return weekday === 5 || weekday === 6;
  if (country === 'IR') return weekday === 5;
  return weekday === 6 || weekday === 7;
}

interface Scenario {
  readonly code: Code;
  readonly zone: string;
  readonly partial: PartialHolidayRule;
  readonly overrides: readonly CalendarOverride[];
}

const verdicts = new Map<string, boolean>();

function oracleIsWorkingDay(s: Scenario, date: string): boolean {
  if (!exists(s.zone, date)) return false;
  const own = s.overrides.find((o) => o.date === date && o.jurisdiction === s.code);
  const parent = s.overrides.find((o) => o.date === date && o.jurisdiction !== s.code);
  const override = own ?? parent;
  if (override) return override.kind === 'working';
  const key = `${s.code}|${s.partial}|${date}`;
  let working = verdicts.get(key);
  if (working === undefined) {
    const holidayZone = oracleOf(s.code).zone;
    const dayStart = startOfDay(holidayZone, date);
    const dayEnd = startOfDay(holidayZone, nextDate(date));
    const year = Number(date.slice(0, 4));
    const intervals = [year - 1, year].flatMap((y) => excludedIntervals(s.code, y));
    const whole = intervals.some(({ start, end }) => start <= dayStart && end > dayStart);
    const partial = intervals.some(({ start, date: own }) => own === date && start > dayStart && start < dayEnd);
    working = !isWeekend(s.code, date) && !whole && !(s.partial === 'off' && partial);
    verdicts.set(key, working);
  }
  return working;
}

// ---- generators --------------------------------------------------------------------------------------

/** Instants at which `zone` changes its UTC offset, 2010–2035. */
const transitions = new Map<string, number[]>();

function transitionsOf(zone: string): number[] {
  let found = transitions.get(zone);
  if (!found) {
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
    transitions.set(zone, found);
  }
  return found;
}

const clamp = (ms: number): number => Math.min(MAX, Math.max(MIN, ms));

function instantIn(zone: string): fc.Arbitrary<number> {
  const uniform = fc.integer({ min: MIN, max: MAX });
  // Within 90 minutes of a local midnight, with exact ±1 ms hits included.
  const nearMidnight = fc
    .tuple(
      fc.integer({ min: 0, max: Math.floor((MAX - MIN) / DAY) }),
      fc.oneof(fc.integer({ min: -90 * 60_000, max: 90 * 60_000 }), fc.constantFrom(-1, 0, 1)),
    )
    .map(([days, delta]) => {
      const date = new Date(MIN + days * DAY).toISOString().slice(0, 10);
      return clamp(startOfDay(zone, date) + delta);
    });
  const zoneTransitions = transitionsOf(zone);
  const nearTransition =
    zoneTransitions.length === 0
      ? uniform
      : fc
          .tuple(fc.integer({ min: 0, max: zoneTransitions.length - 1 }), fc.integer({ min: -30 * HOUR, max: 30 * HOUR }))
          .map(([index, delta]) => clamp(zoneTransitions[index] + delta));
  return fc.oneof(uniform, nearMidnight, nearTransition);
}

/** Up to 12 overrides on dates within 40 days after `instant`, declared for the jurisdiction or its country. */
function overridesNear(code: Code, instant: number): fc.Arbitrary<CalendarOverride[]> {
  const country = code.slice(0, 2);
  return fc
    .array(
      fc.record({
        offset: fc.integer({ min: -1, max: 40 }),
        kind: fc.constantFrom('working' as const, 'off' as const),
        level: fc.constantFrom(code, country),
      }),
      { maxLength: 12 },
    )
    .map((list) => {
      const seen = new Set<string>();
      return list
        .map(({ offset, kind, level }) => {
          const date = new Date(instant + offset * DAY).toISOString().slice(0, 10);
          return { id: `${level}:${date}`, jurisdiction: level, date, kind, reason: 'property' };
        })
        .filter((o) => !seen.has(o.id) && seen.add(o.id) !== undefined);
    });
}

const workingDays = fc.integer({ min: 1, max: 15 });

function scenarioFor(code: Code) {
  return fc.constantFrom(oracleOf(code).zone, ...(EXTRA_ZONES[code] ?? [])).chain((zone) =>
    instantIn(zone).chain((instant) =>
      fc.record({
        code: fc.constant(code),
        zone: fc.constant(zone),
        instant: fc.constant(instant),
        n: workingDays,
        partial: fc.constantFrom<PartialHolidayRule>('working', 'off'),
        overrides: fc.oneof(fc.constant([] as CalendarOverride[]), overridesNear(code, instant)),
      }),
    ),
  );
}

const scenario = fc.constantFrom(...JURISDICTIONS).chain(scenarioFor);
/** The instance of kind 5 (Samoa's skipped 30 Dec 2011) within reach of the generators. */
const aroundSamoa = fc.record({
  code: fc.constant<Code>('NZ'),
  zone: fc.constant('Pacific/Apia'),
  instant: fc.integer({ min: Date.UTC(2011, 11, 20), max: Date.UTC(2012, 0, 5) }),
  n: workingDays,
  partial: fc.constantFrom<PartialHolidayRule>('working', 'off'),
  overrides: fc.constant([] as CalendarOverride[]),
});
const anyScenario = fc.oneof({ arbitrary: scenario, weight: 9 }, { arbitrary: aroundSamoa, weight: 1 });

// ---- properties --------------------------------------------------------------------------------------

const calendar = new WorkingDayCalendar({ holidayCache: new HolidayCache(sharedSource) });
const NUM_RUNS = 400;

type Run = Scenario & { readonly instant: number; readonly n: number };
const deadlineOf = (s: Run, instant = s.instant, n = s.n): number =>
  calendar.addWorkingDays(new Date(instant), n, s.code, s.zone, { partialHolidays: s.partial, overrides: s.overrides }).getTime();

describe('addWorkingDays (properties, 2010–2035)', () => {
  it('ends at the last instant of a working day, exactly n working days after the local date of the instant', () => {
    fc.assert(
      fc.property(anyScenario, (s) => {
        const deadline = deadlineOf(s);
        const startDate = wallTime(s.zone, s.instant).slice(0, 10);
        const end = wallTime(s.zone, deadline);
        const endDate = end.slice(0, 10);

        // (a) the end of a working day, in local time; a millisecond later is a later date.
        expect(end.slice(11)).toBe('23:59:59.999');
        expect(wallTime(s.zone, deadline + 1).slice(0, 10) > endDate).toBe(true);
        expect(oracleIsWorkingDay(s, endDate)).toBe(true);

        // (b) exactly n working days in (startDate, endDate].
        let counted = 0;
        for (let date = nextDate(startDate); date <= endDate; date = nextDate(date)) {
          if (oracleIsWorkingDay(s, date)) counted++;
        }
        expect(counted).toBe(s.n);
        expect(deadline).toBeGreaterThan(s.instant);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('is monotonic in the instant', () => {
    const pair = anyScenario.chain((s) =>
      fc.record({
        s: fc.constant(s),
        // Often close to the first instant, where a bug at a day boundary would show.
        second: fc.oneof(instantIn(s.zone), fc.integer({ min: -2 * DAY, max: 2 * DAY }).map((delta) => clamp(s.instant + delta))),
      }),
    );
    fc.assert(
      fc.property(pair, ({ s, second }) => {
        const [t1, t2] = s.instant <= second ? [s.instant, second] : [second, s.instant];
        expect(deadlineOf(s, t1)).toBeLessThanOrEqual(deadlineOf(s, t2));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('grows with n: one more working day ends at a later working day', () => {
    fc.assert(
      fc.property(anyScenario, (s) => {
        const shorter = deadlineOf(s);
        const longer = deadlineOf(s, s.instant, s.n + 1);
        expect(longer).toBeGreaterThan(shorter);
        // …and n + 1 from the instant equals 1 from the end of the nth day.
        expect(deadlineOf(s, shorter, 1)).toBe(longer);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('explains itself: deadline() lists n counted days, each a working day, and the overrides on the way', () => {
    fc.assert(
      fc.property(anyScenario, (s) => {
        const result = calendar.deadline(new Date(s.instant), s.n, s.code, { timeZone: s.zone, partialHolidays: s.partial, overrides: s.overrides });
        expect(result.deadline.getTime()).toBe(deadlineOf(s));
        expect(result.countedDays).toHaveLength(s.n);
        for (const date of result.countedDays) expect(oracleIsWorkingDay(s, date)).toBe(true);
        const walked = s.overrides.filter((o) => o.date > result.startDate && o.date <= result.countedDays[s.n - 1]);
        const inForce = new Set(walked.map((o) => o.date));
        expect(new Set(result.overrideIds.map((id) => id.slice(id.indexOf(':') + 1)))).toEqual(inForce);
      }),
      { numRuns: NUM_RUNS / 2 },
    );
  });
});

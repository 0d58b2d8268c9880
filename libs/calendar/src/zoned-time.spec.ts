import { UnknownTimeZoneError } from './errors.js';
import { assertTimeZone, endOfLocalDay, localDateOf } from './zoned-time.js';

/** Wall time of `instant` in `timeZone`, read with Intl (not luxon), e.g. '2026-05-22 23:59:59.999'. */
function wall(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      fractionalSecondDigits: 3,
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}.${parts.fractionalSecond}`;
}

describe('localDateOf', () => {
  it('reads the date in the zone, not in UTC', () => {
    const instant = new Date('2026-03-02T23:30:00Z');
    expect(localDateOf(instant, 'UTC')).toBe('2026-03-02');
    expect(localDateOf(instant, 'Asia/Tokyo')).toBe('2026-03-03');
    expect(localDateOf(new Date('2026-05-22T23:00:00Z'), 'Europe/London')).toBe('2026-05-23'); // 00:00 BST
    expect(localDateOf(new Date('2026-05-22T22:59:59.999Z'), 'Europe/London')).toBe('2026-05-22');
  });

  it('rejects an invalid instant and an unknown zone', () => {
    expect(() => localDateOf(new Date('nope'), 'UTC')).toThrow(RangeError);
    expect(() => localDateOf(new Date('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons')).toThrow(UnknownTimeZoneError);
  });
});

describe('endOfLocalDay', () => {
  it.each([
    ['2026-01-15', 'Europe/London', '2026-01-15T23:59:59.999Z'], // GMT
    ['2026-05-22', 'Europe/London', '2026-05-22T22:59:59.999Z'], // BST
    ['2026-03-29', 'Europe/London', '2026-03-29T22:59:59.999Z'], // clocks went forward at 01:00 that day
    ['2026-10-25', 'Europe/London', '2026-10-25T23:59:59.999Z'], // clocks went back at 02:00 that day
    ['2026-03-08', 'America/New_York', '2026-03-09T03:59:59.999Z'], // EDT from 02:00
    ['2026-03-04', 'Asia/Tokyo', '2026-03-04T14:59:59.999Z'],
    // America/Santiago: on Saturday 2025-04-05 clocks go from 24:00 -03 back to 23:00 -04, so 23:59:59.999
    // happens twice; the day ends at the later one.
    ['2025-04-05', 'America/Santiago', '2025-04-06T03:59:59.999Z'],
    // Asia/Tehran: 2021-09-21 (a Tuesday) at 24:00 +0430 clocks went back to 23:00 +0330.
    ['2021-09-21', 'Asia/Tehran', '2021-09-21T20:29:59.999Z'],
    // America/Havana: clocks jump from 00:00 to 01:00 on 2025-03-09 and fall from 01:00 back to 00:00 on 2025-11-02.
    ['2025-03-08', 'America/Havana', '2025-03-09T04:59:59.999Z'],
    ['2025-11-01', 'America/Havana', '2025-11-02T03:59:59.999Z'],
  ])('%s in %s ends at %s', (date, zone, expected) => {
    const end = endOfLocalDay(date, zone);
    expect(end.toISOString()).toBe(expected);
    expect(wall(end, zone)).toBe(`${date} 23:59:59.999`);
    expect(wall(new Date(end.getTime() + 1), zone).slice(0, 10)).not.toBe(date);
  });

  it('rejects an unknown zone with a typed error and a malformed date with a RangeError', () => {
    expect(() => endOfLocalDay('2026-01-01', 'Europe/Londres')).toThrow(UnknownTimeZoneError);
    expect(() => endOfLocalDay('2026-02-30', 'UTC')).toThrow(RangeError);
  });
});

describe('assertTimeZone', () => {
  it.each(['UTC', 'Europe/London', 'America/New_York', 'Asia/Tokyo'])('accepts %s', (zone) => {
    expect(() => assertTimeZone(zone)).not.toThrow();
  });

  it.each(['', ' ', 'Mars/Olympus_Mons', 'GMT+25', 'Europe/Londres'])('rejects %j', (zone) => {
    let error: unknown;
    try {
      assertTimeZone(zone);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnknownTimeZoneError);
    expect((error as UnknownTimeZoneError).timeZone).toBe(zone);
    expect((error as Error).message).toContain(`"${zone}"`);
  });
});

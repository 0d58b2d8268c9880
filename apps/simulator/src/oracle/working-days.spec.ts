import { OracleCalendar } from './working-days.js';

const calendar = new OracleCalendar();
const deadline = (from: string, jurisdiction: string, timeZone = calendar.defaultTimeZone(jurisdiction)) =>
  calendar.deadline(new Date(from), 5, jurisdiction, timeZone);

describe("the oracle's working days (ARCHITECTURE §2, on date-holidays directly)", () => {
  it('GB-ENG over Christmas: the day itself, the weekend, Christmas, Boxing Day (substitute Monday) and New Year do not count', () => {
    // Wednesday 23 Dec 2026. 25 Fri Christmas, 26/27 weekend, 28 Mon Boxing Day substitute, 1 Jan Fri.
    const r = deadline('2026-12-23T10:00:00Z', 'GB-ENG');
    expect(r.countedDays).toEqual(['2026-12-24', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-04']);
    expect(r.deadline.toISOString()).toBe('2027-01-04T23:59:59.999Z');
  });

  it('IL: the weekend is Friday–Saturday, and Passover (starting the evening before) closes its whole date', () => {
    // Tuesday 20 Apr 2027, Jerusalem. 22 Thu Pesach, 23/24 Fri–Sat weekend, 28 Wed seventh day of Pesach.
    const r = deadline('2027-04-20T07:00:00Z', 'IL');
    expect(r.countedDays).toEqual(['2027-04-21', '2027-04-25', '2027-04-26', '2027-04-27', '2027-04-29']);
    // 23:59:59.999 in Jerusalem (UTC+3 in summer).
    expect(r.deadline.toISOString()).toBe('2027-04-29T20:59:59.999Z');
  });

  it('DE-BY: Christmas Eve, a bank holiday from 14:00, is a partial day and so a working day', () => {
    const r = deadline('2026-12-22T12:00:00Z', 'DE-BY');
    expect(r.countedDays).toEqual(['2026-12-23', '2026-12-24', '2026-12-28', '2026-12-29', '2026-12-30']);
    expect(r.deadline.toISOString()).toBe('2026-12-30T22:59:59.999Z');
  });

  it("the day of the instant never counts, whatever it is, and is the tenant's local date", () => {
    // Saturday 2 Jan 2027 in London: counting starts Monday.
    expect(deadline('2027-01-02T09:00:00Z', 'GB-ENG').countedDays[0]).toBe('2027-01-04');
    // 23:30 UTC on Sunday 6 Jun 2027 is already Monday 7 Jun in Tokyo: Monday is day D, not counted.
    expect(deadline('2027-06-06T23:30:00Z', 'JP').countedDays[0]).toBe('2027-06-08');
    // The same instant for a tenant of the same jurisdiction in New York (19:30 on Sunday): Monday counts.
    expect(deadline('2027-06-06T23:30:00Z', 'JP', 'America/New_York').countedDays[0]).toBe('2027-06-07');
  });

  it('a date the time zone skipped is not a working day (Samoa, 30 December 2011)', () => {
    expect(calendar.isWorkingDay('2011-12-30', 'WS', 'Pacific/Apia')).toBe(false);
    expect(calendar.isWorkingDay('2011-12-29', 'WS', 'Pacific/Apia')).toBe(true);
  });

  it("a jurisdiction's default time zone is the first date-holidays lists", () => {
    expect(calendar.defaultTimeZone('GB-SCT')).toBe('Europe/London');
    expect(calendar.defaultTimeZone('AU-SA')).toBe('Australia/Adelaide');
    expect(calendar.defaultTimeZone('IL')).toBe('Asia/Jerusalem');
  });
});

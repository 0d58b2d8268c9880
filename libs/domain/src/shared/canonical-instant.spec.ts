// isLaterInstant orders instants by time whatever their spelling, and compares toISOString's
// spelling as text without changing the answer.
import fc from 'fast-check';
import { isLaterInstant } from './canonical-instant.js';

const date = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
/** The same instant as `±hh:mm` local time, without milliseconds when they are 0. */
const withOffset = (d: Date, minutes: number) => {
  const local = new Date(d.getTime() + minutes * 60_000).toISOString().slice(0, 23);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

describe('isLaterInstant', () => {
  it('given two instants in toISOString spelling, when compared, then the answer is their order in time', () => {
    fc.assert(fc.property(date, date, (a, b) => expect(isLaterInstant(a.toISOString(), b.toISOString())).toBe(a.getTime() > b.getTime())), { numRuns: 2000 });
  });

  it('given the same instants spelled with offsets, when compared with either spelling, then the answer does not change', () => {
    const inRange = fc.date({ min: new Date('1000-01-01T00:00:00.000Z'), max: new Date('9000-01-01T00:00:00.000Z'), noInvalidDate: true });
    fc.assert(
      fc.property(inRange, inRange, fc.integer({ min: -720, max: 840 }), (a, b, offset) => {
        const expected = a.getTime() > b.getTime();
        expect(isLaterInstant(withOffset(a, offset), b.toISOString())).toBe(expected);
        expect(isLaterInstant(a.toISOString(), withOffset(b, offset))).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('given an instant one millisecond after another across a day, when compared both ways, then only the later one is later', () => {
    expect(isLaterInstant('2030-01-01T00:00:00.000Z', '2029-12-31T23:59:59.999Z')).toBe(true);
    expect(isLaterInstant('2029-12-31T23:59:59.999Z', '2030-01-01T00:00:00.000Z')).toBe(false);
    expect(isLaterInstant('2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z')).toBe(false);
  });

  it('given a string that is no instant, when compared, then it is neither later nor earlier', () => {
    expect(isLaterInstant('not a date', '2030-01-01T00:00:00.000Z')).toBe(false);
    expect(isLaterInstant('2030-01-01T00:00:00.000Z', 'not a date')).toBe(false);
  });
});

import { UnknownJurisdictionError } from './errors.js';
import { FALLBACK_TIME_ZONE, formatJurisdiction, parseJurisdiction, timeZoneOf } from './jurisdiction.js';

describe('parseJurisdiction', () => {
  it.each([
    ['GB', { country: 'GB' }],
    ['GB-ENG', { country: 'GB', subdivision: 'ENG' }],
    ['GB-SCT', { country: 'GB', subdivision: 'SCT' }],
    ['DE-BY', { country: 'DE', subdivision: 'BY' }],
    ['US-NY', { country: 'US', subdivision: 'NY' }],
    ['JP', { country: 'JP' }],
  ])('splits %s', (code, expected) => {
    expect(parseJurisdiction(code)).toEqual(expected);
    expect(formatJurisdiction(parseJurisdiction(code))).toBe(code);
  });

  it.each(['XX', 'GB-ZZZ', 'gb', 'gb-sct', '', 'GB-', '-SCT', 'DE-BY-A', 'GBR', ' GB'])('rejects %j with a typed error naming it', (code) => {
    let error: unknown;
    try {
      parseJurisdiction(code);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnknownJurisdictionError);
    expect(error).toBeInstanceOf(Error);
    expect((error as UnknownJurisdictionError).jurisdiction).toBe(code);
    expect((error as UnknownJurisdictionError).name).toBe('UnknownJurisdictionError');
    expect((error as Error).message).toContain(`"${code}"`);
  });

  it('says whether the country or the subdivision is unknown', () => {
    expect(() => parseJurisdiction('XX')).toThrow(/no country "XX"/);
    expect(() => parseJurisdiction('GB-ZZZ')).toThrow(/no subdivision "ZZZ" of GB/);
  });

  it('rejects a non-string at run time', () => {
    expect(() => parseJurisdiction(undefined as unknown as string)).toThrow(UnknownJurisdictionError);
  });
});

describe('timeZoneOf', () => {
  it.each([
    ['GB', 'Europe/London'],
    ['GB-SCT', 'Europe/London'],
    ['DE-BY', 'Europe/Berlin'],
    ['US', 'America/New_York'], // date-holidays lists New York first for the whole US
    ['US-NY', 'America/New_York'],
    ['US-CA', 'America/Los_Angeles'],
    ['JP', 'Asia/Tokyo'],
    ['FR', 'Europe/Paris'],
    ['IE', 'Europe/Dublin'],
  ])('%s -> %s', (jurisdiction, zone) => {
    expect(timeZoneOf(jurisdiction)).toBe(zone);
  });

  it('is UTC only as a fallback', () => {
    expect(FALLBACK_TIME_ZONE).toBe('UTC');
  });

  it('rejects unknown jurisdictions', () => {
    expect(() => timeZoneOf('XX')).toThrow(UnknownJurisdictionError);
    expect(() => timeZoneOf('GB-ZZZ')).toThrow(UnknownJurisdictionError);
  });
});

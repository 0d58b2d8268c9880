import { UnknownJurisdictionError } from './errors.js';
import { closeJurisdictions, FALLBACK_TIME_ZONE, formatJurisdiction, jurisdictionLineage, parseJurisdiction, timeZoneOf } from './jurisdiction.js';

describe('parseJurisdiction', () => {
  it.each([
    ['GB', { country: 'GB' }],
    ['GB-ENG', { country: 'GB', subdivision: 'ENG' }],
    ['GB-SCT', { country: 'GB', subdivision: 'SCT' }],
    ['DE-BY', { country: 'DE', subdivision: 'BY' }],
    ['US-NY', { country: 'US', subdivision: 'NY' }],
    ['JP', { country: 'JP' }],
    ['DE-BY-KATH', { country: 'DE', subdivision: 'BY', region: 'KATH' }],
    ['DE-BY-A', { country: 'DE', subdivision: 'BY', region: 'A' }],
  ])('splits %s', (code, expected) => {
    expect(parseJurisdiction(code)).toEqual(expected);
    expect(formatJurisdiction(parseJurisdiction(code))).toBe(code);
  });

  it.each(['XX', 'GB-ZZZ', 'gb', 'gb-sct', '', 'GB-', '-SCT', 'DE-BY-ZZ', 'DE-BY-KATH-X', 'DE-KATH', 'GBR', ' GB'])('rejects %j with a typed error naming it', (code) => {
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

  it('says so when the region is unknown, and suggests close valid codes', () => {
    expect(() => parseJurisdiction('DE-BY-ZZ')).toThrow(/no region "ZZ" of DE-BY/);
    let error: UnknownJurisdictionError | undefined;
    try {
      parseJurisdiction('DE-BY-KAT');
    } catch (caught) {
      error = caught as UnknownJurisdictionError;
    }
    expect(error?.suggestions[0]).toBe('DE-BY-KATH');
    expect(error?.suggestions).toEqual(expect.arrayContaining(['DE-BY-A', 'DE-BY-EVANG']));
    expect(error?.message).toContain('close valid codes: DE-BY-KATH');
  });

  it('rejects a non-string at run time', () => {
    expect(() => parseJurisdiction(undefined as unknown as string)).toThrow(UnknownJurisdictionError);
  });
});

describe('closeJurisdictions', () => {
  it('suggests the children of the longest known prefix, nearest first', () => {
    expect(closeJurisdictions('GB-SCO')[0]).toBe('GB-SCT');
    expect(closeJurisdictions('DE-BX')).toEqual(expect.arrayContaining(['DE-BY']));
    expect(closeJurisdictions('DE-BX').every((code) => /^DE-[A-Z]+$/.test(code))).toBe(true);
  });

  it('suggests the same code in upper case, and nearby countries for an unknown one', () => {
    expect(closeJurisdictions('gb-sct')).toEqual(['GB-SCT']);
    expect(closeJurisdictions('GX')).toHaveLength(5);
    expect(closeJurisdictions('')).toEqual([]);
  });
});

describe('jurisdictionLineage', () => {
  it('lists the jurisdiction and its parents, most general first', () => {
    expect(jurisdictionLineage('DE-BY-KATH')).toEqual(['DE', 'DE-BY', 'DE-BY-KATH']);
    expect(jurisdictionLineage('GB')).toEqual(['GB']);
    expect(() => jurisdictionLineage('XX')).toThrow(UnknownJurisdictionError);
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
    ['DE-BY-KATH', 'Europe/Berlin'],
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

/**
 * Jurisdictions: an ISO 3166 country that `date-holidays` knows, with an optional subdivision it knows
 * for that country ('GB', 'GB-SCT', 'DE-BY', 'US-NY'). Codes are matched exactly as `date-holidays` spells
 * them (upper case for ISO codes): 'gb-sct' is unknown.
 */
import Holidays from 'date-holidays';
import { UnknownJurisdictionError } from './errors.js';
import { zoneOf } from './zoned-time.js';

export interface Jurisdiction {
  readonly country: string;
  readonly subdivision?: string;
}

/** Used for a jurisdiction for which `date-holidays` lists no valid time zone (none does in 3.37). */
export const FALLBACK_TIME_ZONE = 'UTC';

let catalogue: Holidays | undefined;
const parsed = new Map<string, Jurisdiction>();
const timeZones = new Map<string, string>();

function query(): Holidays {
  catalogue ??= new Holidays();
  return catalogue;
}

function has(table: Record<string, string> | undefined, key: string): boolean {
  return table !== undefined && Object.prototype.hasOwnProperty.call(table, key);
}

/**
 * Splits and validates a jurisdiction code.
 * @throws UnknownJurisdictionError for anything `date-holidays` does not know.
 */
export function parseJurisdiction(code: string): Jurisdiction {
  const known = parsed.get(code);
  if (known) return known;
  if (typeof code !== 'string') {
    throw new UnknownJurisdictionError(String(code), 'a jurisdiction is a string like "GB" or "GB-SCT"');
  }
  const dash = code.indexOf('-');
  const country = dash < 0 ? code : code.slice(0, dash);
  const subdivision = dash < 0 ? undefined : code.slice(dash + 1);
  if (!has(query().getCountries(), country)) {
    throw new UnknownJurisdictionError(code, `date-holidays knows no country "${country}"`);
  }
  if (subdivision !== undefined && !has(query().getStates(country), subdivision)) {
    throw new UnknownJurisdictionError(code, `date-holidays knows no subdivision "${subdivision}" of ${country}`);
  }
  const jurisdiction: Jurisdiction = Object.freeze(subdivision === undefined ? { country } : { country, subdivision });
  parsed.set(code, jurisdiction);
  return jurisdiction;
}

/** The canonical code of a parsed jurisdiction ('GB-SCT'). */
export function formatJurisdiction({ country, subdivision }: Jurisdiction): string {
  return subdivision === undefined ? country : `${country}-${subdivision}`;
}

function firstValidZone(zones: readonly string[] | undefined): string | undefined {
  return (zones ?? []).find((zone) => {
    try {
      zoneOf(zone);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The default time zone of a jurisdiction: the first one `date-holidays` lists for it (for the
 * subdivision if given, else its country), falling back to the country's, then to UTC.
 * @throws UnknownJurisdictionError for anything `date-holidays` does not know.
 */
export function timeZoneOf(jurisdiction: string): string {
  const known = timeZones.get(jurisdiction);
  if (known) return known;
  const { country, subdivision } = parseJurisdiction(jurisdiction);
  const zone =
    (subdivision === undefined ? undefined : firstValidZone(new Holidays(country, subdivision).getTimezones())) ??
    firstValidZone(new Holidays(country).getTimezones()) ??
    FALLBACK_TIME_ZONE;
  timeZones.set(jurisdiction, zone);
  return zone;
}

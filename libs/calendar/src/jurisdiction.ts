/**
 * Jurisdictions: an ISO 3166 country that `date-holidays` knows, optionally with a subdivision it knows for
 * that country and a region it knows below that subdivision ('GB', 'GB-SCT', 'DE-BY', 'DE-BY-KATH',
 * ARCHITECTURE.md §2). Codes are matched exactly as `date-holidays` spells them (upper case for ISO codes):
 * 'gb-sct' is unknown.
 */
import Holidays from 'date-holidays';
import { closest, distance } from 'fastest-levenshtein';
import { UnknownJurisdictionError } from './errors.js';
import { zoneOf } from './zoned-time.js';

export interface Jurisdiction {
  readonly country: string;
  readonly subdivision?: string;
  /** A region below the subdivision (date-holidays' third level); only with a subdivision. */
  readonly region?: string;
}

/** Used for a jurisdiction for which `date-holidays` lists no valid time zone (none does in 3.37). */
export const FALLBACK_TIME_ZONE = 'UTC';

let catalogue: Holidays | undefined;
let allCodes: readonly string[] | undefined;
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
 * Splits and validates a jurisdiction code 'CC', 'CC-SUB' or 'CC-SUB-REGION'.
 * @throws UnknownJurisdictionError for anything `date-holidays` does not know; its `suggestions` name close
 *   valid codes.
 */
export function parseJurisdiction(code: string): Jurisdiction {
  const known = parsed.get(code);
  if (known) return known;
  if (typeof code !== 'string') {
    throw new UnknownJurisdictionError(String(code), 'a jurisdiction is a string like "GB", "GB-SCT" or "DE-BY-KATH"');
  }
  const [country, subdivision, region, ...rest] = code.split('-');
  const unknown = (reason: string) => new UnknownJurisdictionError(code, reason, closeJurisdictions(code));
  if (!has(query().getCountries(), country)) throw unknown(`date-holidays knows no country "${country}"`);
  if (subdivision !== undefined && !has(query().getStates(country), subdivision)) {
    throw unknown(`date-holidays knows no subdivision "${subdivision}" of ${country}`);
  }
  if (region !== undefined && !has(query().getRegions(country, subdivision!), region)) {
    throw unknown(`date-holidays knows no region "${region}" of ${country}-${subdivision}`);
  }
  if (rest.length > 0) throw unknown('a jurisdiction has at most three parts: country, subdivision, region');
  const jurisdiction: Jurisdiction = Object.freeze({
    country,
    ...(subdivision === undefined ? {} : { subdivision }),
    ...(region === undefined ? {} : { region }),
  });
  parsed.set(code, jurisdiction);
  return jurisdiction;
}

/** The canonical code of a parsed jurisdiction ('DE-BY-KATH'). */
export function formatJurisdiction({ country, subdivision, region }: Jurisdiction): string {
  return [country, subdivision, region].filter((part) => part !== undefined).join('-');
}

/**
 * The jurisdiction and the ones that contain it, most general first: 'DE-BY-KATH' → ['DE', 'DE-BY',
 * 'DE-BY-KATH']. Operator overrides declared for a parent apply to its children (see calendar-override.ts).
 * @throws UnknownJurisdictionError.
 */
export function jurisdictionLineage(code: string): readonly string[] {
  const { country, subdivision, region } = parseJurisdiction(code);
  const lineage = [country];
  if (subdivision !== undefined) lineage.push(`${country}-${subdivision}`);
  if (region !== undefined) lineage.push(`${country}-${subdivision}-${region}`);
  return lineage;
}

/** Every jurisdiction code `date-holidays` knows (about 3,800 in 3.37); computed once. */
export function knownJurisdictions(): readonly string[] {
  if (!allCodes) {
    const codes: string[] = [];
    for (const country of Object.keys(query().getCountries())) {
      codes.push(country);
      for (const state of Object.keys(query().getStates(country) ?? {})) {
        codes.push(`${country}-${state}`);
        for (const region of Object.keys(query().getRegions(country, state) ?? {})) codes.push(`${country}-${state}-${region}`);
      }
    }
    allCodes = Object.freeze(codes);
  }
  return allCodes;
}

/**
 * Up to `limit` known codes close to `code`, for an error message: the known children of its longest known
 * prefix when it has one (a misspelt subdivision of a known country), else the codes nearest by edit
 * distance (fastest-levenshtein) over the whole catalogue.
 */
export function closeJurisdictions(code: string, limit = 5): readonly string[] {
  if (typeof code !== 'string' || code === '') return [];
  const upper = code.toUpperCase();
  const all = knownJurisdictions();
  if (all.includes(upper) && upper !== code) return [upper];
  const parts = upper.split('-');
  let pool: readonly string[] = all;
  for (let length = Math.min(parts.length - 1, 2); length >= 1; length--) {
    const prefix = parts.slice(0, length).join('-');
    if (all.includes(prefix)) {
      const depth = length + 1;
      pool = all.filter((c) => c.startsWith(`${prefix}-`) && c.split('-').length === depth);
      break;
    }
  }
  if (pool.length === 0) return [];
  const ranked = [...pool].sort((a, b) => distance(upper, a) - distance(upper, b) || a.localeCompare(b));
  const best = closest(upper, ranked as string[]);
  return [best, ...ranked.filter((c) => c !== best)].slice(0, limit);
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
 * The default time zone of a jurisdiction: the first one `date-holidays` lists for it (for the region,
 * subdivision, then country, as far as given), falling back to UTC.
 * @throws UnknownJurisdictionError for anything `date-holidays` does not know.
 */
export function timeZoneOf(jurisdiction: string): string {
  const known = timeZones.get(jurisdiction);
  if (known) return known;
  const { country, subdivision, region } = parseJurisdiction(jurisdiction);
  const zone =
    (region === undefined ? undefined : firstValidZone(new Holidays(country, subdivision!, region).getTimezones())) ??
    (subdivision === undefined ? undefined : firstValidZone(new Holidays(country, subdivision).getTimezones())) ??
    firstValidZone(new Holidays(country).getTimezones()) ??
    FALLBACK_TIME_ZONE;
  timeZones.set(jurisdiction, zone);
  return zone;
}

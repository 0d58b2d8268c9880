// `npm run bench:calendar`: the cost of a 5-working-day deadline (libs/calendar, cached per jurisdiction and
// year) amortised over 100,000 random (jurisdiction, instant) pairs, against the naive loop that asks
// date-holidays' isHoliday for each day walked, in the same run. The naive loop costs milliseconds per
// deadline, so it runs on a smaller random sample (NAIVE_PAIRS) and its figure is per deadline too.
// A report: exit code 0 unless it crashed.
import Holidays from 'date-holidays';
import { cldrWeekend, localDateOf, parseJurisdiction, timeZoneOf, WorkingDayCalendar, endOfLocalDay } from '@lethe/calendar';
import { DateTime } from 'luxon';

const PAIRS = 100_000;
const NAIVE_PAIRS = 300;
const N = 5;
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2030, 11, 31);
const JURISDICTIONS = [
  'GB-ENG', 'GB-SCT', 'DE', 'DE-BY', 'DE-BY-KATH', 'FR', 'IE', 'NL', 'ES-MD', 'IT', 'PL', 'SE', 'CH-ZH', 'AT',
  'US', 'US-NY', 'US-CA', 'CA-ON', 'BR', 'MX', 'JP', 'CN', 'IN', 'AU-SA', 'AU-NSW', 'NZ', 'IL', 'SA', 'AE', 'IR',
];

/** A deterministic PRNG (mulberry32), so runs compare. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pairs(count: number, seed: number): { jurisdiction: string; instant: Date }[] {
  const next = random(seed);
  return Array.from({ length: count }, () => ({
    jurisdiction: JURISDICTIONS[Math.floor(next() * JURISDICTIONS.length)],
    instant: new Date(FROM + Math.floor(next() * (TO - FROM))),
  }));
}

/** The naive deadline: one isHoliday call per weekday walked (a Holidays object per jurisdiction, reused). */
const naiveSources = new Map<string, Holidays>();
function naiveDeadline(jurisdiction: string, instant: Date): Date {
  const { country, subdivision, region } = parseJurisdiction(jurisdiction);
  const zone = timeZoneOf(jurisdiction);
  let holidays = naiveSources.get(jurisdiction);
  if (!holidays) {
    holidays = region ? new Holidays(country, subdivision!, region, { timezone: zone }) : subdivision ? new Holidays(country, subdivision, { timezone: zone }) : new Holidays(country, { timezone: zone });
    naiveSources.set(jurisdiction, holidays);
  }
  const weekend = cldrWeekend(country);
  let day = DateTime.fromISO(localDateOf(instant, zone), { zone });
  for (let counted = 0; counted < N; ) {
    day = day.plus({ days: 1 });
    if (weekend.includes(day.weekday as never)) continue;
    const found = holidays.isHoliday(day.plus({ hours: 12 }).toJSDate());
    if (!(found && found.some((h) => h.type === 'public' || h.type === 'bank'))) counted++;
  }
  return endOfLocalDay(day.toISODate()!, zone);
}

function main(): void {
  const calendar = new WorkingDayCalendar();
  const sample = pairs(PAIRS, 9);
  let sink = 0;
  const started = process.hrtime.bigint();
  for (const { jurisdiction, instant } of sample) sink += calendar.addWorkingDays(instant, N, jurisdiction).getTime() & 1;
  const cachedUs = Number(process.hrtime.bigint() - started) / 1_000 / PAIRS;
  // The same pairs again: the per-deadline cost once every (jurisdiction, year) is cached.
  const warmStarted = process.hrtime.bigint();
  for (const { jurisdiction, instant } of sample) sink += calendar.addWorkingDays(instant, N, jurisdiction).getTime() & 1;
  const warmUs = Number(process.hrtime.bigint() - warmStarted) / 1_000 / PAIRS;

  const naiveSample = pairs(NAIVE_PAIRS, 10);
  const naiveStarted = process.hrtime.bigint();
  for (const { jurisdiction, instant } of naiveSample) sink += naiveDeadline(jurisdiction, instant).getTime() & 1;
  const naiveUs = Number(process.hrtime.bigint() - naiveStarted) / 1_000 / NAIVE_PAIRS;

  console.log(`5-working-day deadlines over ${JURISDICTIONS.length} jurisdictions, instants 2024-2030 (checksum ${sink})`);
  console.log(`  libs/calendar (cached per jurisdiction+year, cache filled in the run): ${cachedUs.toFixed(1)} µs per deadline, amortised over ${PAIRS.toLocaleString('en')} pairs`);
  console.log(`  libs/calendar, the same pairs again (caches warm):                     ${warmUs.toFixed(1)} µs per deadline`);
  console.log(`  naive per-day isHoliday loop:                                          ${(naiveUs / 1000).toFixed(2)} ms per deadline, over a random sample of ${NAIVE_PAIRS} pairs`);
  console.log(`  ratio naive / cached: ${(naiveUs / cachedUs).toFixed(0)}x`);
}

main();

// The driver's injected faults that are not facts of a tenant: vault outages (`vault`) and engine
// crashes (`crash`), placed at random over the run.
import type { VaultOutage } from './fleet-facts.js';
import { HOUR, iso, MINUTE, YEAR_MS } from './fleet-time.js';
import type { Random } from './random.js';

/** Outages per simulated year (uniform), each from 5 minutes to 12 hours (log-uniform: as many short as long). */
const OUTAGES_PER_YEAR = [2, 5] as const;
const OUTAGE_LENGTH = [5 * MINUTE, 12 * HOUR] as const;
/** At least this much normal time between two outages. */
const OUTAGE_GAP = HOUR;
/** Crashes per simulated year (uniform). */
const CRASHES_PER_YEAR = [2, 4] as const;

/** How many of something at `perYear` over [start, end): at least one. */
function countOver(rng: Random, perYear: readonly [number, number], start: number, end: number): number {
  return Math.max(1, Math.round(rng.float(perYear[0], perYear[1]) * ((end - start) / YEAR_MS)));
}

/** Non-overlapping outages within [start, end), in order, at least OUTAGE_GAP apart. */
export function vaultOutages(rng: Random, start: number, end: number): VaultOutage[] {
  const n = countOver(rng, OUTAGES_PER_YEAR, start, end);
  const drafts = Array.from({ length: n }, () => {
    const from = Math.floor(rng.float(start, end) / 1000) * 1000;
    return { from, length: Math.round(rng.logUniform(OUTAGE_LENGTH[0], OUTAGE_LENGTH[1]) / 1000) * 1000, mode: rng.chance(0.5) ? ('fail' as const) : ('timeout' as const) };
  }).sort((a, b) => a.from - b.from);
  const outages: VaultOutage[] = [];
  let free = start;
  for (const d of drafts) {
    const from = Math.max(d.from, free);
    const until = Math.min(end, from + d.length);
    if (until - from < MINUTE) continue;
    outages.push({ from: iso(from), until: iso(until), mode: d.mode });
    free = until + OUTAGE_GAP;
  }
  return outages;
}

/** Distinct instants within (start, end), in order, whole seconds. */
export function crashInstants(rng: Random, start: number, end: number): string[] {
  const n = countOver(rng, CRASHES_PER_YEAR, start, end);
  const instants = new Set<number>();
  for (let i = 0; i < n; i++) instants.add(Math.floor(rng.float(start + 1000, end) / 1000) * 1000);
  return [...instants].filter((t) => t > start && t < end).sort((a, b) => a - b).map(iso);
}

/**
 * Operator overrides of the calendar (ARCHITECTURE.md §2): a local date declared a day off (a one-off
 * closure, an official holiday the library lacks) or a working day (an official make-up day). A declared
 * working day beats weekend and holiday; a declared day off beats everything but a date the zone never had.
 *
 * Parent jurisdictions: an override declared for 'DE' applies to 'DE-BY' and 'DE-BY-KATH' too (a national
 * closure closes every region); for one date, the declaration of the most specific jurisdiction wins (a
 * region may restore a day its country closed).
 */
import { jurisdictionLineage } from './jurisdiction.js';
import type { LocalDate } from './local-date.js';

export type OverrideKind = 'working' | 'off';
export const OVERRIDE_KINDS: readonly OverrideKind[] = Object.freeze(['working', 'off']);

export interface CalendarOverride {
  /** Stable id of the declaration (stored with every deadline it decided). */
  readonly id: string;
  /** Where it was declared; absent: it applies to whichever jurisdiction the calendar is asked about. */
  readonly jurisdiction?: string;
  readonly date: LocalDate;
  readonly kind: OverrideKind;
  readonly reason: string;
}

/**
 * The overrides in force for `jurisdiction`, by local date: those declared for it or for a jurisdiction that
 * contains it (see the file comment); overrides of unrelated jurisdictions are ignored.
 * @throws UnknownJurisdictionError.
 */
export function overridesInForce(jurisdiction: string, overrides: readonly CalendarOverride[]): ReadonlyMap<LocalDate, CalendarOverride> {
  const byDate = new Map<LocalDate, CalendarOverride>();
  if (overrides.length === 0) return byDate;
  const lineage = jurisdictionLineage(jurisdiction);
  const depth = (o: CalendarOverride): number => (o.jurisdiction === undefined ? lineage.length : lineage.indexOf(o.jurisdiction));
  for (const override of overrides) {
    const level = depth(override);
    if (level < 0) continue;
    const current = byDate.get(override.date);
    if (current === undefined || level >= depth(current)) byDate.set(override.date, override);
  }
  return byDate;
}

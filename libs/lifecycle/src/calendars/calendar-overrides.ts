// The operator overrides in force for a jurisdiction: those declared for it and for each jurisdiction
// containing it (one stream read per level: 'DE-BY-KATH' reads DE, DE-BY and DE-BY-KATH). Which one
// wins on a date is the calendar's rule (the most specific).
import { jurisdictionLineage, type CalendarOverride } from '@lethe/calendar';
import { overridesOf, type CalendarOverrideInput, type CalendarOverrideState } from '@lethe/domain';
import type { CalendarRepository } from './calendar-repository.js';

export async function overridesInForce(calendars: CalendarRepository, jurisdiction: string): Promise<readonly CalendarOverrideState[]> {
  const levels = await Promise.all(jurisdictionLineage(jurisdiction).map(async (code) => overridesOf((await calendars.load(code)).state)));
  return levels.flat();
}

/** `overridesInForce`, shaped for the calendar and the tenant decision. */
export async function overrideInputsInForce(calendars: CalendarRepository, jurisdiction: string): Promise<readonly (CalendarOverride & CalendarOverrideInput)[]> {
  return (await overridesInForce(calendars, jurisdiction)).map((o) => ({ id: o.overrideId, jurisdiction: o.jurisdiction, date: o.date, kind: o.kind, reason: o.reason }));
}

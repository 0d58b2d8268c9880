// Test-only known defects (LETHE_SABOTAGE), injected at ports and hooks — never by changing a rule —
// so the fleet simulator can prove that its oracle notices a broken promise. Unset, every hook below
// is the identity. The engine refuses the setting unless its clock is manual.
import type { HolidaySourceFactory } from '@lethe/calendar';

export const SABOTAGE_KINDS = [
  /** The key lifecycle decides and schedules retirements one day ahead of its clock (P3). */
  'early-retirement',
  /** The calendar behind deadlines knows no holidays: every holiday is a working day (P4). */
  'holiday-as-working-day',
  /** The shred's probe leaves the last database out of the list it probes and records (P5). */
  'skip-probe',
] as const;

export type Sabotage = (typeof SABOTAGE_KINDS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/** early-retirement: how far ahead of the clock retirements are decided and scheduled (ms); 0 otherwise. */
export function retirementLeadMs(sabotage: Sabotage | null | undefined): number {
  return sabotage === 'early-retirement' ? DAY_MS : 0;
}

/** holiday-as-working-day: a holiday source that lists none. */
export const noHolidays: HolidaySourceFactory = () => ({ getHolidays: () => [] });

/** skip-probe: the databases a shred's probe covers, the last one left out. */
export function databasesToProbe(databases: string[], sabotage: Sabotage | null | undefined): string[] {
  return sabotage === 'skip-probe' ? databases.slice(0, -1) : databases;
}

import type { PartialHolidayRule } from '@lethe/calendar';

/** How a preview counts, as a tenant with these settings would. */
export interface CalendarPreviewOptions {
  readonly timeZone?: string;
  readonly partialHolidays?: PartialHolidayRule;
  readonly excludedHolidayTypes?: readonly string[];
}

/** Default holiday types of a tenant (ARCHITECTURE.md §2), for previews that do not name any. */
export const DEFAULT_HOLIDAY_TYPES = ['public', 'bank'];

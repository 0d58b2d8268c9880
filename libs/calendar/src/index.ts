// @lethe/calendar: working-day arithmetic over date-holidays (ARCHITECTURE.md §2). Pure: no framework, no I/O.
export { OutsideCalendarYearsError, UnknownJurisdictionError, UnknownTimeZoneError } from './errors.js';
export { type HolidayType, HOLIDAY_TYPES, DEFAULT_EXCLUDED_TYPES, isHolidayType } from './holiday-type.js';
export {
  type Jurisdiction,
  parseJurisdiction,
  formatJurisdiction,
  jurisdictionLineage,
  knownJurisdictions,
  closeJurisdictions,
  timeZoneOf,
  FALLBACK_TIME_ZONE,
} from './jurisdiction.js';
export { type LocalDate, isLocalDate, MIN_YEAR as CALENDAR_MIN_YEAR, MAX_YEAR as CALENDAR_MAX_YEAR } from './local-date.js';
export { type SourceHoliday, type HolidaySource, type HolidaySourceFactory, dateHolidaysSource } from './holiday-source.js';
export { HolidayCache, type HolidayDate, type PartialHolidayRule, PARTIAL_HOLIDAY_RULES } from './holiday-cache.js';
export { type IsoWeekday, type WeekendRule, cldrWeekend, weekendOn } from './weekend.js';
export { type CalendarOverride, type OverrideKind, OVERRIDE_KINDS, overridesInForce } from './calendar-override.js';
export {
  type CalendarOptions,
  type DayOptions,
  type AddWorkingDaysOptions,
  type WorkingDayDeadline,
  type DayReason,
  type DayStatus,
  WorkingDayCalendar,
  addWorkingDays,
  isWorkingDay,
  defaultCalendar,
  MAX_WORKING_DAYS,
} from './working-days.js';
export { localDateOf, endOfLocalDay, dateExists } from './zoned-time.js';

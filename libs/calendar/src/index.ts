// @lethe/calendar: working-day arithmetic over date-holidays (ARCHITECTURE.md §2). Pure: no framework, no I/O.
export { UnknownJurisdictionError, UnknownTimeZoneError } from './errors.js';
export { type HolidayType, HOLIDAY_TYPES, DEFAULT_EXCLUDED_TYPES, isHolidayType } from './holiday-type.js';
export { type Jurisdiction, parseJurisdiction, formatJurisdiction, timeZoneOf, FALLBACK_TIME_ZONE } from './jurisdiction.js';
export { type LocalDate, isLocalDate } from './local-date.js';
export { type SourceHoliday, type HolidaySource, type HolidaySourceFactory, dateHolidaysSource } from './holiday-source.js';
export { HolidayCache } from './holiday-cache.js';
export {
  type CalendarOptions,
  type AddWorkingDaysOptions,
  WorkingDayCalendar,
  addWorkingDays,
  isWorkingDay,
  MAX_WORKING_DAYS,
} from './working-days.js';
export { localDateOf, endOfLocalDay } from './zoned-time.js';

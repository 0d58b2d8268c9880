/** The holiday types `date-holidays` assigns. */
export type HolidayType = 'public' | 'bank' | 'school' | 'optional' | 'observance';

export const HOLIDAY_TYPES: readonly HolidayType[] = Object.freeze(['public', 'bank', 'school', 'optional', 'observance']);

/** Days offices are closed (ARCHITECTURE.md §2). */
export const DEFAULT_EXCLUDED_TYPES: readonly HolidayType[] = Object.freeze(['public', 'bank']);

export function isHolidayType(value: unknown): value is HolidayType {
  return typeof value === 'string' && (HOLIDAY_TYPES as readonly string[]).includes(value);
}

/**
 * Validates, de-duplicates and orders excluded types canonically (in HOLIDAY_TYPES order), so that equal
 * selections share cache entries. An empty list is allowed: then only weekends are days off.
 * @throws RangeError for a type `date-holidays` does not use.
 */
export function normalizeExcludedTypes(types: readonly HolidayType[] = DEFAULT_EXCLUDED_TYPES): readonly HolidayType[] {
  if (!Array.isArray(types)) {
    throw new RangeError('excludedTypes must be an array of holiday types');
  }
  for (const type of types) {
    if (!isHolidayType(type)) {
      throw new RangeError(`excludedTypes: unknown holiday type "${String(type)}" (known: ${HOLIDAY_TYPES.join(', ')})`);
    }
  }
  return Object.freeze(HOLIDAY_TYPES.filter((type) => types.includes(type)));
}

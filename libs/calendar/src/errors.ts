/**
 * Typed errors of the calendar. Callers map them to their own vocabulary
 * (e.g. an unknown jurisdiction is a 400 at onboarding, ARCHITECTURE.md §2).
 */

/** The jurisdiction is not a country, subdivision or region that `date-holidays` knows. */
export class UnknownJurisdictionError extends Error {
  override readonly name = 'UnknownJurisdictionError';

  constructor(
    readonly jurisdiction: string,
    reason?: string,
    /** Close valid codes, best first (may be empty). */
    readonly suggestions: readonly string[] = [],
  ) {
    super(
      `Unknown jurisdiction "${jurisdiction}"${reason ? `: ${reason}` : ''}${suggestions.length > 0 ? ` (close valid codes: ${suggestions.join(', ')})` : ''}`,
    );
  }
}

/** The time zone is not an IANA time zone this runtime knows. */
export class UnknownTimeZoneError extends Error {
  override readonly name = 'UnknownTimeZoneError';

  constructor(readonly timeZone: string) {
    super(`Unknown time zone "${timeZone}"`);
  }
}

/**
 * A date or instant outside the years the calendar covers (MIN_YEAR..MAX_YEAR, see local-date.ts), or a
 * deadline that would run past them. A RangeError, so callers that catch those keep working; callers that
 * answer requests map it to their own "out of range" refusal naming the field.
 */
export class OutsideCalendarYearsError extends RangeError {
  override readonly name = 'OutsideCalendarYearsError';

  constructor(
    message: string,
    /** The years the calendar covers, inclusive. */
    readonly minYear: number,
    readonly maxYear: number,
  ) {
    super(message);
  }
}

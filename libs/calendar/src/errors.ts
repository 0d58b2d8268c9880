/**
 * Typed errors of the calendar. Callers map them to their own vocabulary
 * (e.g. an unknown jurisdiction is a 400 at onboarding, ARCHITECTURE.md §2).
 */

/** The jurisdiction is not an ISO 3166 country (with optional subdivision) that `date-holidays` knows. */
export class UnknownJurisdictionError extends Error {
  override readonly name = 'UnknownJurisdictionError';

  constructor(
    readonly jurisdiction: string,
    reason?: string,
  ) {
    super(`Unknown jurisdiction "${jurisdiction}"${reason ? `: ${reason}` : ''}`);
  }
}

/** The time zone is not an IANA time zone this runtime knows. */
export class UnknownTimeZoneError extends Error {
  override readonly name = 'UnknownTimeZoneError';

  constructor(readonly timeZone: string) {
    super(`Unknown time zone "${timeZone}"`);
  }
}

// The oracle's tolerances, each named for the reason it exists. Everything else it checks is exact.

const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** The driver never moves the clock further than this in one step (it also stops on every due timer). */
export const MAX_STEP_MS = DAY_MS;

/**
 * P3: a version must be retired at most this long after it became retirable: one simulated day for
 * the retirement timer and its retries, plus one step of the driver's clock.
 */
export const RETIREMENT_SLACK_MS = DAY_MS + MAX_STEP_MS;

/**
 * What Lethe does at once, in the request or the processor that follows it (open the key ring at
 * onboarding, add a database, schedule or cancel a shred, record a late notice's breach, execute a
 * late notice's shred, record a missed deadline): done within this long of the fact or the instant.
 */
export const IMMEDIATE_SLACK_MS = HOUR_MS;

/**
 * P1: a rotation (managed) or KeyRotationDue (client-held) is due at an exact instant, and the driver
 * steps onto every due timer: no tolerance.
 */
export const ROTATION_TOLERANCE_MS = 0;

/** P2: every database is on a new version within this long of the version appearing. */
export const REPROTECT_WITHIN_MS = 24 * HOUR_MS;

/**
 * Lethe cannot act through a vault that is down. A limit whose work needs the vault is moved by the
 * time the simulated outages overlap the window it gives, plus this: the longest retry backoff of the
 * lifecycle (deadline retries and shred steps are capped at one hour, re-protection retries every 5 min).
 */
export const VAULT_RECOVERY_SLACK_MS = HOUR_MS;

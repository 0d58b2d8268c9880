// Simulated time for the fleet generator: instants are milliseconds since the epoch (UTC) while a plan
// is built and ISO 8601 strings in the plan. Calendar months and years are UTC calendar arithmetic,
// the day clamped to the month's last (31 January + 1 month = 28 or 29 February).
import type { FleetFact } from './fleet-facts.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** A mean calendar year, for rates per simulated year. */
export const YEAR_MS = 365.25 * DAY;

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
/** The date part ('2027-01-04T') of each day seen: a 10-year plan formats millions of instants. */
const dayPrefixes = new Map<number, string>();

/** `t` as Date.prototype.toISOString gives it (years 0..9999), several times faster. */
export function iso(t: number): string {
  const day = Math.floor(t / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const rest = t - day * DAY;
  const ms = rest % 1000;
  const s = Math.floor(rest / 1000) % 60;
  const m = Math.floor(rest / MINUTE) % 60;
  const h = Math.floor(rest / HOUR);
  return flat(`${prefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(ms)}Z`);
}

/**
 * `text`, flattened: reading a character makes V8 copy a concatenation into one string. A plan holds
 * millions of generated strings, and unflattened each keeps its pieces (several times the memory).
 */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** `t` plus `months` calendar months (UTC), the time of day kept. */
export function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const target = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(target / 12);
  const month = ((target % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** `t` plus `years` calendar years (UTC); a fraction of a year counts as that share of 365.25 days. */
export function addYears(t: number, years: number): number {
  const whole = Math.trunc(years);
  return addMonths(t, 12 * whole) + Math.round((years - whole) * 365.25 * DAY);
}

/** Rounded down to the whole hour: when the contract system's notices and an operator's cancels arrive. */
export const toHour = (t: number): number => Math.floor(t / HOUR) * HOUR;

/**
 * The fleet's routine facts reach Lethe once a day: backups are taken in the nightly window at
 * BACKUP_WINDOW_HOUR (UTC) and reported, with the day's operator changes (databases added, policies,
 * retention changes) and clients' own rotations, at DAILY_REPORT_HOUR. One instant a day keeps a
 * ten-year run's clock steps in the thousands: the driver stops on every distinct instant.
 */
export const BACKUP_WINDOW_HOUR = 1;
export const DAILY_REPORT_HOUR = 2;

/** The first daily report instant at or after `t`. */
export function toDailyReport(t: number): number {
  const sameDay = Math.floor(t / DAY) * DAY + DAILY_REPORT_HOUR * HOUR;
  return sameDay >= t ? sameDay : sameDay + DAY;
}

/** A fact with its instant in milliseconds, as the generator sorts them. */
export interface TimedFact {
  readonly t: number;
  readonly fact: FleetFact;
}

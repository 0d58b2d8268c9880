// Instants, local dates and countdowns. Times are shown in UTC (the API's) unless a page names the
// tenant's time zone. The countdowns run on the engine's clock, not the browser's: the offset between
// the two is taken from an instant the engine answered (the compliance report's `at`), so a manual
// clock (tests, simulations) or a skewed laptop shows the engine's view of each deadline.

let offsetMs = 0;
let engineAt = null;
const listeners = new Set();

export const engineClock = {
  /** Takes the engine's `now` (ISO instant) as answered just now. */
  sync(iso) {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return;
    engineAt = iso;
    offsetMs = at - Date.now();
    for (const listener of listeners) listener();
  },
  /** The engine's `now` as it last answered (ISO instant), never extrapolated; null before any answer. */
  lastAnswer() {
    return engineAt;
  },
  /** Calls `listener` after each sync; returns the function that stops it. */
  onSync(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** The engine's now, in ms since the epoch, as best known. */
  now() {
    return Date.now() + offsetMs;
  },
  synced() {
    return engineAt !== null;
  },
};

const pad = (n) => String(n).padStart(2, '0');

/** `2026-12-30 12:00 UTC` (seconds when asked). */
export function utc(iso, { seconds = false } = {}) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return `${seconds ? `${s}:${pad(d.getUTCSeconds())}` : s} UTC`;
}

/** The local date (`YYYY-MM-DD`) of an instant in an IANA time zone. */
export function localDate(iso, timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** `17:00` local time of an instant in a time zone. */
export function localTime(iso, timeZone) {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** The local date `days` after a `YYYY-MM-DD` date. */
export function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from date `a` to date `b` (both `YYYY-MM-DD`). */
export function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ISO weekday (1 = Monday) as `Mon`. */
export const weekdayName = (isoWeekday) => WEEKDAYS[isoWeekday - 1] ?? '';
/** `2026-12-24` as `24 Dec`. */
export const shortDate = (date) => `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;

/** A duration as `3d 04:12:09` (or `04:12:09` under a day). */
export function duration(ms) {
  const total = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86_400);
  const clock = `${pad(Math.floor((total % 86_400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

/** `{text, overdue}` for the time left until `iso` on the engine's clock. */
export function countdown(iso) {
  const left = Date.parse(iso) - engineClock.now();
  return left >= 0 ? { text: `${duration(left)} left`, overdue: false } : { text: `overdue by ${duration(left)}`, overdue: true };
}

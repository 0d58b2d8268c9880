// A generated tenant's backups (ARCHITECTURE P3): taken on a schedule per database in the fleet's
// nightly window, registered with Lethe in the daily report an hour later, a few deleted early or
// given a new retention (a legal hold, a policy shortened).
//
// Schedules, chosen to keep a 1000-tenant, 10-year run near 100 facts per tenant-year (every fact
// is an HTTP call) while every database still has point-in-time chains straddling its rotations:
// - the primary database (the first): a point-in-time chain segment weekly, covering the week back
//   (never more than the tenant's point-in-time window, less the registration delay: the chain holds
//   no older restore point), and a full backup weekly, kept 5 weeks;
// - every other database: a chain segment fortnightly, covering two weeks back (same cap);
// - every database: a monthly long-term backup on the 1st, kept 13 months, and a yearly one on
//   1 January, kept 7 years.
// A segment expires when its newest restore point leaves the window in force when it was taken.
// No window starts before its database was added.
import type { BackupSchedule } from './fleet-facts.js';
import { addMonths, addYears, BACKUP_WINDOW_HOUR, DAILY_REPORT_HOUR, DAY, flat, HOUR, iso, MINUTE, toDailyReport, WEEK, type TimedFact } from './fleet-time.js';
import type { Random } from './random.js';

export interface BackupDatabase {
  readonly databaseId: string;
  /** When it was added (onboarding or add-database). */
  readonly addedAt: number;
}

export interface BackupScheduleOptions {
  readonly tenantId: string;
  /** The tenant's databases in the order they were added; the first is the primary. */
  readonly databases: readonly BackupDatabase[];
  /** Start of the run: weekly schedules count from it. */
  readonly start: number;
  /** No backup fact at or after this (the tenant's life end, or the run's). */
  readonly until: number;
  /** The tenant's point-in-time window (days) in force at an instant. */
  readonly pitrDaysAt: (t: number) => number;
}

/** Share of backups deleted before they expire. */
const DELETED_EARLY = 0.015;
/** Share of full and long-term backups whose retention is changed. */
const RETENTION_CHANGED = 0.02;
const WEEKLY_FULL_KEPT = 5 * WEEK;
/**
 * A backup is registered this long after it is taken (the daily report). A chain segment covers this
 * much less than the window, so its oldest restore point is still inside the window when it is
 * registered: the versions it needs are ones Lethe must still hold (P3), never ones it may already
 * have retired.
 */
const REGISTERED_WITHIN = (DAILY_REPORT_HOUR - BACKUP_WINDOW_HOUR) * HOUR;

const stamp = (t: number) => iso(t).slice(0, 16).replace(/[-:]/g, '');

export function backupFacts(rng: Random, o: BackupScheduleOptions): TimedFact[] {
  const facts: TimedFact[] = [];
  // The tenant's weekly backups: a weekday, in the fleet's nightly window.
  const weekly = Math.floor(o.start / DAY) * DAY + rng.int(0, 6) * DAY + BACKUP_WINDOW_HOUR * HOUR;

  const record = (database: BackupDatabase, schedule: BackupSchedule, takenAt: number, coveredFrom: number, expiresAt: number) => {
    const at = takenAt + REGISTERED_WITHIN;
    if (at >= o.until) return;
    const backupId = flat(`${database.databaseId}.${schedule}.${stamp(takenAt)}`);
    facts.push({
      t: at,
      fact: { at: iso(at), kind: 'backup', tenantId: o.tenantId, backupId, databaseId: database.databaseId, schedule, coveredFrom: iso(coveredFrom), takenAt: iso(takenAt), expiresAt: iso(expiresAt) },
    });
    afterwards(backupId, schedule, at, takenAt, expiresAt);
  };

  const afterwards = (backupId: string, schedule: BackupSchedule, at: number, takenAt: number, expiresAt: number) => {
    const r = rng.next();
    const when = toDailyReport(at + rng.float(0.05, 0.9) * (expiresAt - at));
    const longer = rng.chance(0.5);
    const share = rng.next();
    if (when <= at || when >= o.until || when >= expiresAt) return;
    if (r < DELETED_EARLY) {
      facts.push({ t: when, fact: { at: iso(when), kind: 'backup-deleted', tenantId: o.tenantId, backupId } });
    } else if (schedule !== 'pitr' && r < DELETED_EARLY + RETENTION_CHANGED) {
      // Longer: held up to two more years. Shorter: expires between a day after the change and the old expiry.
      const next = longer ? toDailyReport(expiresAt + (30 + share * 700) * DAY) : Math.max(when + DAY, toDailyReport(when + share * (expiresAt - when)));
      if (next > takenAt && next !== expiresAt) {
        facts.push({ t: when, fact: { at: iso(when), kind: 'backup-retention-changed', tenantId: o.tenantId, backupId, expiresAt: iso(next) } });
      }
    }
  };

  o.databases.forEach((database, index) => {
    const from = database.addedAt + HOUR;
    const primary = index === 0;
    const segmentEvery = primary ? WEEK : 2 * WEEK;
    const firstSlot = (anchor: number, every: number) => anchor + Math.max(0, Math.ceil((from - anchor) / every)) * every;
    for (let t = firstSlot(weekly + (primary ? 0 : (index % 2) * WEEK), segmentEvery); t < o.until; t += segmentEvery) {
      // An hour short of the window when taken and when registered (a window shortened in between
      // counts): the chain's oldest point is then strictly inside it.
      const pitrDays = Math.min(o.pitrDaysAt(t), o.pitrDaysAt(t + REGISTERED_WITHIN));
      const window = Math.min(segmentEvery, pitrDays * DAY - REGISTERED_WITHIN - HOUR);
      record(database, 'pitr', t, Math.max(database.addedAt, t - window), t + o.pitrDaysAt(t) * DAY);
    }
    if (primary) {
      for (let t = firstSlot(weekly, WEEK); t < o.until; t += WEEK) {
        record(database, 'weekly-full', t, Math.max(database.addedAt, t - rng.int(20, 180) * MINUTE), t + WEEKLY_FULL_KEPT);
      }
    }
    for (let t = firstMonthly(from); t < o.until; t = addMonths(t, 1)) {
      const duration = rng.int(30, 240) * MINUTE;
      record(database, 'monthly', t, Math.max(database.addedAt, t - duration), addMonths(t, 13));
      if (new Date(t).getUTCMonth() === 0) {
        record(database, 'yearly', t, Math.max(database.addedAt, t - duration), addYears(t, 7));
      }
    }
  });
  return facts;
}

/** The first 1st-of-the-month in the nightly window at or after `from`. */
function firstMonthly(from: number): number {
  const d = new Date(from);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1, BACKUP_WINDOW_HOUR);
  while (t < from) t = addMonths(t, 1);
  return t;
}

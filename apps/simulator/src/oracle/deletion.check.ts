// P4 and P5: a termination (from its effective instant) or a deletion request (from its receipt)
// gets every key version destroyed, and every platform-key backup purged, within 5 working days
// (the oracle's own calendar); the shred counts only once verified by a probe of every database of
// the tenant, each found unreadable, by that deadline — else Lethe records ShredDeadlineBreached.
// A notice received after its deadline is shredded at once with a `late-notification` breach.
//
// The triggers, in the order they were received, make cycles: the first trigger with no shred
// pending schedules one, later ones join it (each still owed its own deadline: Lethe records the
// earliest, moving the shred for an earlier one, ShredAdvanced), a cancel before the
// shred's execution withdraws the cycle, a trigger after the cancel starts a new one. A delivery of
// a message already received is the same trigger. Whether a cancel came before the execution is
// judged from the instant Lethe recorded the execution's start (its own action).
import type { TriggerFact } from './fleet-model.js';
import type { SeenShred } from './lethe-record.js';
import { withVaultOutages } from './outages.js';
import { IMMEDIATE_SLACK_MS } from './slack.js';
import { iso, type TenantCheck } from './tenant-check.js';
import { DELETION_WORKING_DAYS } from './working-days.js';

interface Cycle {
  readonly triggers: TriggerFact[];
  cancelledAt: number | null;
  readonly shred: SeenShred | undefined;
}

interface TriggerDeadline {
  readonly deadline: number;
  readonly countedDays: readonly string[];
  readonly late: boolean;
}

const deadlines = new WeakMap<TriggerFact, TriggerDeadline>();

function deadlineOf(c: TenantCheck, t: TriggerFact): TriggerDeadline {
  let d = deadlines.get(t);
  if (!d) {
    const r = c.calendar.deadline(new Date(t.clockStart), DELETION_WORKING_DAYS, c.facts.spec.jurisdiction, c.facts.timeZone);
    d = { deadline: r.deadline.getTime(), countedDays: r.countedDays, late: t.receivedAt > r.deadline.getTime() };
    deadlines.set(t, d);
  }
  return d;
}

const name = (t: TriggerFact) => `${t.kind} ${t.id}`;

function cyclesOf(c: TenantCheck): Cycle[] {
  const cycles: Cycle[] = [];
  let current: Cycle | null = null;
  const executedBy = (cycle: Cycle, t: number) => cycle.shred?.startedAt != null && cycle.shred.startedAt <= t;
  for (const f of c.facts.deletion) {
    if (f.kind === 'cancel') {
      if (current && !executedBy(current, f.at)) {
        current.cancelledAt = f.at;
        current = null;
      }
      continue;
    }
    const t = f.trigger;
    if (current) {
      current.triggers.push(t);
      continue;
    }
    current = { triggers: [t], cancelledAt: null, shred: c.record.shreds.find((s) => s.trigger.kind === t.kind && s.trigger.id === t.id) };
    cycles.push(current);
  }
  return cycles;
}

export function checkDeletion(c: TenantCheck): void {
  const cycles = cyclesOf(c);
  const matched = new Set<SeenShred>();
  for (const cycle of cycles) {
    if (cycle.shred) matched.add(cycle.shred);
    checkCycle(c, cycle);
  }
  for (const s of c.record.shreds) {
    if (matched.has(s)) continue;
    c.violation(
      `unexpected-shred:${s.shredId}`,
      'P4',
      `no shred for the ${s.trigger.kind} ${s.trigger.id}: a delivery again, or a trigger withdrawn or joining a pending shred`,
      `shred ${s.shredId} scheduled ${iso(s.scheduledAt)}`,
    );
  }
  if (cycles.length === 0 && c.vaultKey?.tombstonedAt) {
    c.violation('destroyed-without-trigger', 'P4', 'the tenant key kept: no termination or deletion request', `destroyed ${iso(c.vaultKey.tombstonedAt.getTime())}`);
  }
}

function checkCycle(c: TenantCheck, cycle: Cycle): void {
  const first = cycle.triggers[0];
  const shred = cycle.shred;
  if (!shred) {
    const limit = first.receivedAt + IMMEDIATE_SLACK_MS;
    if (c.now > limit) c.violation(`scheduled:${first.kind}:${first.id}`, 'P4', () => `a shred scheduled for the ${name(first)} received ${iso(first.receivedAt)}`, () => `none by ${iso(c.now)}`);
    else c.recheckAfter(limit);
    return;
  }
  checkRecordedDeadline(c, cycle, shred);
  if (cycle.cancelledAt !== null) {
    if (shred.startedAt !== null) {
      c.violation(`cancelled-executed:${shred.shredId}`, 'P4', `shred ${shred.shredId} withdrawn by the cancel of ${iso(cycle.cancelledAt)}, never executed`, `executed ${iso(shred.startedAt)}`);
    } else if (shred.cancelledAt === null) {
      const limit = cycle.cancelledAt + IMMEDIATE_SLACK_MS;
      if (c.now > limit) c.violation(`cancel:${shred.shredId}`, 'P4', () => `shred ${shred.shredId} cancelled by ${iso(limit)}`, () => `not cancelled by ${iso(c.now)}`);
      else c.recheckAfter(limit);
    }
    return;
  }
  if (shred.cancelledAt !== null) {
    c.violation(`not-cancelled:${shred.shredId}`, 'P4', `shred ${shred.shredId} carried out: no cancel came before its execution`, `cancelled ${iso(shred.cancelledAt)}`);
    return;
  }
  const received = cycle.triggers.filter((t) => shred.startedAt === null || t.receivedAt <= shred.startedAt);
  const clockStart = Math.min(...received.map((t) => t.clockStart));
  if (shred.startedAt !== null && shred.startedAt < clockStart) {
    c.violation(`early:${shred.shredId}`, 'P4', `shred ${shred.shredId} executed no earlier than ${iso(clockStart)}, when the deletion clock starts`, `executed ${iso(shred.startedAt)}`);
  }

  // The limits: each on-time trigger's deadline; each late trigger's receipt (at once).
  let deadline = Number.POSITIVE_INFINITY;
  let limit = Number.POSITIVE_INFINITY;
  let why = '';
  for (const t of cycle.triggers) {
    const d = deadlineOf(c, t);
    if (d.late) {
      const lateLimit = withVaultOutages(c.outages, t.receivedAt, t.receivedAt + IMMEDIATE_SLACK_MS);
      checkLateNotice(c, shred, t, d);
      if (lateLimit < limit) {
        limit = lateLimit;
        why = `at once: the ${name(t)} was received ${iso(t.receivedAt)}, after its deadline ${iso(d.deadline)}`;
      }
    } else if (d.deadline < deadline) {
      deadline = d.deadline;
      const withOutages = withVaultOutages(c.outages, clockStart, d.deadline);
      if (withOutages < limit) {
        limit = withOutages;
        why = `${DELETION_WORKING_DAYS} working days from ${iso(t.clockStart)} (${name(t)})${withOutages > d.deadline ? ', moved by vault outages' : ''}`;
      }
    }
  }
  checkDestroyed(c, shred, limit, why);
  checkVerified(c, shred, deadline, limit, why);
}

/** The trigger with the earliest deadline of `triggers` (the first of them on a tie). */
function earliest(c: TenantCheck, triggers: readonly TriggerFact[]): TriggerFact {
  return triggers.reduce((best, t) => (deadlineOf(c, t).deadline < deadlineOf(c, best).deadline ? t : best));
}

/**
 * The deadline Lethe records is the earliest owed by the triggers that joined before the shred was
 * executed (the first schedules it; an earlier one moves it, ShredAdvanced): the end of the 5th working
 * day after its clock start. One received within IMMEDIATE_SLACK_MS may not be applied yet.
 */
function checkRecordedDeadline(c: TenantCheck, cycle: Cycle, shred: SeenShred): void {
  const joined = cycle.triggers.filter((t) => shred.startedAt === null || t.receivedAt <= shred.startedAt);
  const owing = earliest(c, joined);
  const owed = deadlineOf(c, owing);
  if (shred.deadline === owed.deadline) return;
  const settled = joined.filter((t, i) => i === 0 || t.receivedAt + IMMEDIATE_SLACK_MS < c.now);
  const pending = joined.filter((t) => !settled.includes(t));
  const settledOwed = deadlineOf(c, earliest(c, settled)).deadline;
  // Not yet moved for a trigger just received: as settled triggers owe, or already moved for one pending.
  const appliedSoFar = shred.deadline === settledOwed || pending.some((t) => deadlineOf(c, t).deadline === shred.deadline);
  if (appliedSoFar && pending.length > 0) {
    c.recheckAfter(Math.max(...pending.map((t) => t.receivedAt)) + IMMEDIATE_SLACK_MS);
    return;
  }
  c.violation(
    `deadline:${shred.shredId}`,
    'P4',
    `deadline ${iso(owed.deadline)} (the earliest its triggers owe: the ${name(owing)}): the end of the ${DELETION_WORKING_DAYS}th working day after ` +
      `${c.calendar.localDateOf(new Date(owing.clockStart), c.facts.timeZone)} in ${c.facts.spec.jurisdiction} (${c.facts.timeZone}), counting ${owed.countedDays.join(', ')}`,
    `Lethe recorded ${iso(shred.deadline)}`,
  );
}

function checkLateNotice(c: TenantCheck, shred: SeenShred, t: TriggerFact, d: TriggerDeadline): void {
  const limit = t.receivedAt + IMMEDIATE_SLACK_MS;
  const breach = shred.breaches.find((b) => b.cause === 'late-notification');
  const expected = () => `ShredDeadlineBreached (late-notification) by ${iso(limit)}: the ${name(t)} was received ${iso(t.receivedAt)}, after its deadline ${iso(d.deadline)}`;
  if (breach) {
    if (breach.recordedAt > limit) c.violation(`late-breach:${t.kind}:${t.id}`, 'P4', expected, `recorded ${iso(breach.recordedAt)}`);
  } else if (c.now > limit) {
    c.violation(`late-breach:${t.kind}:${t.id}`, 'P4', expected, () => `not recorded by ${iso(c.now)}`);
  } else {
    c.recheckAfter(limit);
  }
}

function checkDestroyed(c: TenantCheck, shred: SeenShred, limit: number, why: string): void {
  const expected = (what: string) => () => `${what} by ${iso(limit)} (${why})`;
  if (shred.keysDestroyedAt !== null) {
    if (shred.keysDestroyedAt > limit) c.violation(`destroyed:${shred.shredId}`, 'P4', expected('every key version destroyed'), `KeyDestroyed ${iso(shred.keysDestroyedAt)}`);
  } else if (c.now > limit) {
    c.violation(`destroyed:${shred.shredId}`, 'P4', expected('every key version destroyed'), `not destroyed by ${iso(c.now)}`);
  }
  if (c.now <= limit) {
    c.recheckAfter(limit);
    return;
  }
  const key = c.vaultKey;
  const usable = key?.versions.filter((v) => v.state !== 'destroyed' || (v.unusableAt !== null && v.unusableAt.getTime() > limit)) ?? [];
  if (key && (usable.length > 0 || key.tombstonedAt === null)) {
    c.violation(
      `vault-destroyed:${shred.shredId}`,
      'P4',
      expected('every version of the tenant key destroyed in the vault'),
      usable.length > 0 ? `in the vault: ${usable.map((v) => `${v.versionId} ${v.state}${v.unusableAt ? ` ${iso(v.unusableAt.getTime())}` : ''}`).join(', ')}` : 'the key is not tombstoned',
    );
  }
  if (c.facts.spec.backupKeyMode !== 'platform') return;
  const started = shred.startedAt ?? c.now;
  const owed = c.facts.backupList.filter((b) => b.registeredAt < started).map((b) => b.backupId);
  const purged = new Map(shred.purgedAssets.filter((a) => a.kind === 'platform-backup').map((a) => [a.id, a.purgedAt]));
  const notPurged = owed.filter((id) => !(purged.get(id)! <= limit));
  const store = c.platformBackups;
  const storeLate = store !== undefined && (store.unpurged > 0 || (store.lastPurgedAt !== null && store.lastPurgedAt.getTime() > limit));
  if (notPurged.length > 0 || storeLate) {
    c.violation(
      `purged:${shred.shredId}`,
      'P4',
      expected(`every platform-key backup purged (${owed.length} registered)`),
      [
        notPurged.length > 0 ? `not listed as purged in time: ${notPurged.slice(0, 10).join(', ')}${notPurged.length > 10 ? ` and ${notPurged.length - 10} more` : ''}` : '',
        storeLate ? `the asset store holds ${store!.unpurged} unpurged, last purge ${store!.lastPurgedAt ? iso(store!.lastPurgedAt.getTime()) : 'none'}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
}

function checkVerified(c: TenantCheck, shred: SeenShred, deadline: number, limit: number, why: string): void {
  const verified = shred.verifiedAt;
  if (shred.verificationFailedAt !== null) {
    c.violation(`readable:${shred.shredId}`, 'P5', 'every database unreadable once the key is destroyed', `ShredVerificationFailed ${iso(shred.verificationFailedAt)}: data still readable`);
  }
  if (verified !== null) {
    if (Number.isFinite(deadline)) c.margins.shred(deadline - verified);
    checkProbe(c, shred);
    if (verified > limit) c.violation(`verified:${shred.shredId}`, 'P5', `the shred verified by ${iso(limit)} (${why})`, `verified ${iso(verified)}`);
  } else if (c.now > limit) {
    c.violation(`verified:${shred.shredId}`, 'P5', () => `the shred verified by ${iso(limit)} (${why})`, () => `not verified by ${iso(c.now)}`);
  } else {
    c.recheckAfter(limit);
  }
  // Not verified by the deadline itself: Lethe must say so.
  if (!Number.isFinite(deadline) || (verified !== null && verified <= deadline)) return;
  const breachBy = deadline + IMMEDIATE_SLACK_MS;
  const breach = shred.breaches.find((b) => b.recordedAt <= breachBy);
  if (breach) return;
  if (c.now > breachBy) {
    c.violation(
      `breach:${shred.shredId}`,
      'P5',
      `ShredDeadlineBreached by ${iso(breachBy)}: not verified by the deadline ${iso(deadline)}`,
      shred.breaches.length > 0 ? `recorded ${iso(shred.breaches[0].recordedAt)}` : `not recorded by ${iso(c.now)}`,
    );
  } else if (verified === null) {
    c.recheckAfter(breachBy);
  }
}

function checkProbe(c: TenantCheck, shred: SeenShred): void {
  const attempt = shred.verifiedAttempt;
  const probe = attempt === null ? undefined : shred.probes.get(attempt);
  const started = shred.startedAt ?? shred.verifiedAt!;
  const databases = c.facts.databases.filter((d) => d.addedAt < started).map((d) => d.databaseId);
  const unreadable = new Set((probe?.results ?? []).filter((r) => r.outcome === 'key-destroyed').map((r) => r.databaseId));
  const missing = databases.filter((d) => !unreadable.has(d));
  if (missing.length === 0) return;
  c.violation(
    `probe:${shred.shredId}`,
    'P5',
    `the verifying probe found every database unreadable, the key destroyed: ${databases.join(', ')}`,
    probe
      ? `probe attempt ${attempt}: ${probe.results.map((r) => `${r.databaseId} ${r.outcome}`).join(', ') || 'no database'}; not proven: ${missing.join(', ')}`
      : `no probe recorded for attempt ${attempt}`,
  );
}

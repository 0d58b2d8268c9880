// How a generated tenant's contract ends, if it does (ARCHITECTURE P4, §2, §3 "Deletion"): the
// triggers the contract system reports, the operator's cancels, and the instant after which nothing
// else may happen to the tenant because its shred could have executed.
//
// When a shred can execute: at its executeAt, the end of the 2nd working day (the engine's default
// grace, shredGraceWorkingDays at onboarding: the TenantSpec sets none) after the local date of the
// clock's start — at least 47 hours after the start (two whole local days, one DST hour short) — or
// at once when the notice arrives after that (so also a notice arriving after its 5-working-day
// deadline: the `late` fault). So the tenant's other facts stay before max(notice, effective instant) (the
// notice itself when late), and a cancel comes before the effective instant or within 20 hours of
// an immediate one. A notice that arrives "a little after" its effective instant comes within 3 days:
// 5 working days are never less than 4 calendar days after any instant of the start date, so it is
// never late. A late notice's effective instant lies 21 to 60 days back: more than any run of
// weekends and holidays 5 working days can span.
import type { FleetFact } from './fleet-facts.js';
import { DAY, HOUR, iso, MINUTE, toHour, type TimedFact } from './fleet-time.js';
import type { Random } from './random.js';

export interface DeletionStoryOptions {
  readonly tenantId: string;
  readonly onboardAt: number;
  /** End of the run: no fact at or after it. */
  readonly end: number;
  /** `duplicates` fault: some triggers delivered 2–3 times, some resent later as a separate fact. */
  readonly duplicates: boolean;
  /** `late` fault: some terminations reported after their deadline passed. */
  readonly late: boolean;
}

export interface DeletionStory {
  readonly facts: readonly TimedFact[];
  /**
   * The tenant's other facts (backups, databases, policy, client rotations) must lie before this
   * instant: from it on, its shred may have executed. The run's end when no trigger stands.
   */
  readonly lifeEnd: number;
}

/** Shares of tenants by how their contract ends (the rest run on to the end). */
const FINAL_TERMINATION = 0.21;
const FINAL_DELETION_REQUEST = 0.05;
/** A termination cancelled (the contract renewed) and nothing after it. */
const CANCELLED_ONLY = 0.04;
/** Of the tenants whose contract ends, the share that first had a trigger cancelled. */
const CANCELLED_BEFORE_TERMINATION = 0.2;
const CANCELLED_BEFORE_DELETION = 0.1;
/** No trigger in a tenant's first month. */
const FIRST_TRIGGER_AFTER = 30 * DAY;
/** A termination notice arriving a little after its effective instant: at most this much after. */
const MAX_NOTICE_DELAY = 3 * DAY;
/** Latest cancel after a trigger whose clock started at its notice (the shred executes 47 h on at the soonest). */
const MAX_IMMEDIATE_CANCEL = 20 * HOUR;
/** Of the final terminations, the share reported late when the `late` fault is on. */
const LATE_SHARE = 0.25;
/** Of the tenants whose shred stood, the share that gets another deletion request afterwards. */
const TRIGGER_AFTER_SHRED = 0.1;
/** `duplicates`: the share of trigger facts delivered more than once, and the share resent later. */
const REDELIVERED = 0.3;
const RESENT = 0.15;

type Variant = 'at-notice' | 'future' | 'after' | 'late';

interface Trigger {
  readonly fact: FleetFact & { kind: 'termination' | 'deletion-request' };
  readonly at: number;
  /** Other facts stay before this (see the file's head). */
  readonly lifeEnd: number;
  /** A cancel must come before this; null: it cannot be cancelled before it executes. */
  readonly cancelBy: number | null;
}

export function deletionStory(rng: Random, o: DeletionStoryOptions): DeletionStory {
  const facts: TimedFact[] = [];
  const earliest = o.onboardAt + FIRST_TRIGGER_AFTER;
  if (earliest >= o.end) return { facts, lifeEnd: o.end };
  const ending = rng.weighted<'termination' | 'deletion-request' | 'cancelled-only' | null>([
    ['termination', FINAL_TERMINATION],
    ['deletion-request', FINAL_DELETION_REQUEST],
    ['cancelled-only', CANCELLED_ONLY],
    [null, 1 - FINAL_TERMINATION - FINAL_DELETION_REQUEST - CANCELLED_ONLY],
  ]);
  if (ending === null) return { facts, lifeEnd: o.end };

  let seq = 0;
  // Fault draws are made whether or not the fault is on, so a fault changes only what it is about.
  const deliveries = () => {
    const redelivered = rng.chance(REDELIVERED);
    const times = rng.int(2, 3);
    return o.duplicates && redelivered ? times : 1;
  };
  const termination = (at: number, variant: Variant, contract: number): Trigger => {
    seq++;
    let notice = at;
    let effective = at;
    const share = rng.next();
    if (variant === 'future') effective = toHour(at + (1 + share * 119) * DAY);
    if (variant === 'after') notice = toHour(at + HOUR + share * (MAX_NOTICE_DELAY - HOUR));
    if (variant === 'late') effective = toHour(at - (21 + share * 39) * DAY);
    const fact = {
      at: iso(notice),
      kind: 'termination' as const,
      tenantId: o.tenantId,
      terminationId: `${o.tenantId}-term-${seq}`,
      contractId: `${o.tenantId}-contract-${contract}`,
      effectiveAt: iso(effective),
      deliveries: deliveries(),
    };
    const cancelBy = variant === 'future' ? effective : variant === 'at-notice' ? notice + MAX_IMMEDIATE_CANCEL : null;
    return { fact, at: notice, lifeEnd: variant === 'late' ? notice : Math.max(notice, effective), cancelBy };
  };
  const deletionRequest = (at: number): Trigger => {
    seq++;
    const fact = { at: iso(at), kind: 'deletion-request' as const, tenantId: o.tenantId, requestId: `${o.tenantId}-req-${seq}`, deliveries: deliveries() };
    return { fact, at, lifeEnd: at, cancelBy: at + MAX_IMMEDIATE_CANCEL };
  };
  const emit = (trigger: Trigger) => {
    facts.push({ t: trigger.at, fact: trigger.fact });
    const resent = rng.chance(RESENT);
    const again = toHour(trigger.at + rng.logUniform(10 * MINUTE, 10 * DAY));
    if (o.duplicates && resent && again < o.end) facts.push({ t: again, fact: { ...trigger.fact, at: iso(again), deliveries: 1 } });
  };
  const when = (from: number) => toHour(rng.float(from, o.end));

  let contract = 1;
  let next = when(earliest);
  /** A late notice's effective instant lies after this: the onboarding, or the cancel of a renewed contract. */
  let contractFrom = o.onboardAt;
  const cancelledFirst =
    ending === 'cancelled-only' ||
    (ending === 'termination' && rng.chance(CANCELLED_BEFORE_TERMINATION)) ||
    (ending === 'deletion-request' && rng.chance(CANCELLED_BEFORE_DELETION));
  if (cancelledFirst) {
    const first = ending === 'deletion-request' ? deletionRequest(next) : termination(next, rng.chance(0.5) ? 'at-notice' : 'future', contract);
    emit(first);
    // Hours after a notice that starts the clock at once; days or weeks before a future effective instant.
    const cancelAt = toHour(first.cancelBy! - rng.float(0.1, 0.9) * (first.cancelBy! - first.at));
    if (cancelAt <= first.at || cancelAt >= o.end) return { facts, lifeEnd: Math.min(o.end, first.lifeEnd) };
    facts.push({ t: cancelAt, fact: { at: iso(cancelAt), kind: 'cancel-shred', tenantId: o.tenantId } });
    if (ending === 'cancelled-only') return { facts, lifeEnd: o.end };
    contract++;
    contractFrom = cancelAt;
    next = toHour(cancelAt + rng.float(7, 365) * DAY);
    if (next >= o.end) return { facts, lifeEnd: o.end };
  }

  let final: Trigger;
  if (ending === 'deletion-request') {
    final = deletionRequest(next);
  } else {
    const lateDrawn = rng.chance(LATE_SHARE);
    const onTime = rng.weighted<Variant>([['at-notice', 0.4], ['future', 0.35], ['after', 0.25]]);
    const late = o.late && lateDrawn && next - 60 * DAY > contractFrom + DAY;
    final = termination(next, late ? 'late' : onTime, contract);
  }
  if (final.at >= o.end) return { facts, lifeEnd: o.end };
  emit(final);
  const lifeEnd = Math.min(o.end, final.lifeEnd);
  // Another trigger well after the shred (the tenant asks too, unaware): the engine records it as joining the shred.
  if (rng.chance(TRIGGER_AFTER_SHRED)) {
    const later = toHour(lifeEnd + rng.float(6, 90) * DAY);
    if (later < o.end) emit(deletionRequest(later));
  }
  return { facts, lifeEnd };
}

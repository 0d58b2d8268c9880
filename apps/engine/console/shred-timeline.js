// A shred against the working-day calendar: one column per local date of the tenant's time zone,
// from the trigger's date to the deadline (or to the verification, if later). The trigger's own date
// never counts; each working day after it is numbered up to the 5th, whose end is the deadline;
// weekends, holidays and days declared off are shown skipped, with the reason the calendar gives.
// The numbering is the calendar as it stands now; the deadline itself was decided once, with the
// calendar of its day, and is never recomputed (an override declared since would show as a mismatch).
import { html } from './preact.js';
import { get, seg } from './api.js';
import { Loader } from './components.js';
import { addDays, daysBetween, engineClock, localDate, localTime, shortDate, weekdayName } from './time.js';

/** P4: a shred is due within 5 working days (DELETION_WORKING_DAYS in libs/domain/src/promises.ts). */
const WORKING_DAYS = 5;
/** The longest span drawn (a shred verified long after a breach is cut there). */
const MAX_DAYS = 45;

function reasonText(reason) {
  switch (reason.kind) {
    case 'weekend':
      return 'weekend';
    case 'holiday':
      return reason.name;
    case 'partial-holiday':
      return `${reason.name} (part day, counts ${reason.counts})`;
    case 'override':
      return `declared ${reason.override}: ${reason.reason}`;
    case 'nonexistent':
      return 'date skipped by the time zone';
    default:
      return reason.kind;
  }
}

/** The instants the shred recorded, as markers on their local dates (a cancelled shred's plan and deadline no longer apply). */
function markers(shred, tz) {
  const cancelled = shred.cancelledAt !== null;
  const trigger = shred.trigger?.kind === 'deletion-request' ? 'deletion requested' : 'termination effective';
  const list = [
    { key: 'effective', label: trigger, at: shred.effectiveAt },
    { key: 'execute-at', label: shred.executedAt ? 'planned execution' : 'executes', at: cancelled ? null : shred.executeAt },
    { key: 'executed', label: 'executed', at: shred.executedAt },
    { key: 'keys-destroyed', label: 'keys destroyed', at: shred.keysDestroyedAt },
    { key: 'verified', label: 'verified', at: shred.verifiedAt },
    { key: 'cancelled', label: 'cancelled', at: shred.cancelledAt },
    { key: 'deadline', label: 'deadline', at: cancelled ? null : shred.deadline },
    ...shred.breaches.map((b) => ({ key: 'breach', label: `breach: ${b.cause}`, at: b.at })),
  ].filter((m) => m.at);
  return list.map((m) => ({ ...m, date: localDate(m.at, tz), time: localTime(m.at, tz) }));
}

/** The dates drawn: from the trigger's local date to the deadline's, or the latest marker's. */
export function shredSpan(shred, tz) {
  if (shred.cancelledAt) {
    // Cancelled: from the trigger's date to the cancellation's (either may come first).
    const [from, to] = [localDate(shred.effectiveAt, tz), localDate(shred.cancelledAt, tz)].sort();
    return { from, to: daysBetween(from, to) > MAX_DAYS ? addDays(from, MAX_DAYS) : to };
  }
  const from = localDate(shred.effectiveAt, tz);
  const latest = [shred.deadline, shred.verifiedAt, shred.executedAt, shred.cancelledAt].filter(Boolean).map((at) => localDate(at, tz)).sort().at(-1);
  const to = daysBetween(from, latest) > MAX_DAYS ? addDays(from, MAX_DAYS) : latest;
  return { from, to };
}

/** Each date with its role in the count: `before` (a cancelled shred's), `start`, `counted` (with its number), `skipped`, `after`. */
export function classifyDays(days, shred, tz) {
  const start = localDate(shred.effectiveAt, tz);
  const deadlineDate = localDate(shred.deadline, tz);
  let counted = 0;
  return days.map((day) => {
    const why = day.reasons.map(reasonText).join('; ');
    if (day.date === start) return { ...day, role: 'start', note: 'trigger day, not counted' };
    // A shred cancelled before its trigger took effect: those days count towards nothing.
    if (day.date < start) return { ...day, role: 'before', note: 'before the trigger' };
    if (day.date > deadlineDate) return { ...day, role: 'after', note: day.working ? 'after the deadline' : why };
    if (!day.working) return { ...day, role: 'skipped', note: why || 'not a working day' };
    counted += 1;
    return { ...day, role: 'counted', n: counted, note: why ? `working day ${counted} (${why})` : `working day ${counted}` };
  });
}

export function ShredTimeline({ tenant }) {
  const shred = tenant.shred;
  const tz = tenant.timeZone;
  const { from, to } = shredSpan(shred, tz);
  const load = () =>
    get(`/v1/calendars/${seg(tenant.jurisdiction)}?from=${from}&to=${to}&timeZone=${encodeURIComponent(tz)}&partialHolidays=${tenant.partialHolidays}`);
  return html`<${Loader} what="the working-day calendar" reloadKey=${`${shred.shredId}:${from}:${to}`} load=${load}
    render=${(calendar) => html`<${Strip} calendar=${calendar} shred=${shred} tenant=${tenant} />`} />`;
}

function Strip({ calendar, shred, tenant }) {
  const tz = tenant.timeZone;
  const days = classifyDays(calendar.days, shred, tz);
  const marks = markers(shred, tz);
  const today = engineClock.synced() ? localDate(new Date(engineClock.now()).toISOString(), tz) : null;
  const countedByDeadline = days.filter((d) => d.role === 'counted').length;
  const excluded = tenant.excludedHolidayTypes.join(', ');
  return html`<div class="shred-timeline">
    <ol class="days" aria-label="Working-day calendar of the shred">
      ${days.map(
        (d) => html`<li class=${`day role-${d.role}${d.date === today ? ' today' : ''}`} data-date=${d.date} data-role=${d.role} title=${d.note}>
          <div class="day-head"><span class="wd">${weekdayName(d.weekday)}</span><span class="dt">${shortDate(d.date)}</span></div>
          <div class="day-count">${d.role === 'counted' ? d.n : d.role === 'start' ? '0' : d.role === 'skipped' ? '–' : ''}</div>
          <div class="day-note">${d.role === 'counted' ? 'working day' : d.note}</div>
          <ul class="marks">
            ${marks.filter((m) => m.date === d.date).map((m) => html`<li class=${`mark mark-${m.key}`} data-mark=${m.key}>${m.label} <span class="muted">${m.time}</span></li>`)}
          </ul>
        </li>`,
      )}
    </ol>
    <p class="legend">
      <span class="key role-start">trigger day</span>
      <span class="key role-counted">working day (counted)</span>
      <span class="key role-skipped">weekend / holiday (skipped)</span>
      <span class="muted">Local dates and times in ${tz} · ${tenant.jurisdiction} holidays of type ${excluded} · partial holidays count as ${tenant.partialHolidays}.</span>
    </p>
    ${countedByDeadline === WORKING_DAYS || shred.cancelledAt
      ? null
      : html`<p class="note">The calendar now counts ${countedByDeadline} working days up to the deadline's date; the deadline was decided with the calendar in force when the shred was scheduled and is never recomputed.</p>`}
  </div>`;
}

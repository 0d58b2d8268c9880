// A tenant's key versions on one time axis (SVG): each version's life as the current version, then
// retained for the backups and the point-in-time window that need it (P3), up to its retirement or
// destruction; beneath each bar, the intervals in which it protected each database; and a table of
// the same versions with the backups that hold each one.
import { html } from './preact.js';
import { get, seg } from './api.js';
import { Loader } from './components.js';
import { engineClock, utc } from './time.js';

const WIDTH = 1000;
const LABEL = 170;
const RIGHT = 24;
const AXIS = 28;
const BAR = 14;
const LANE = 5;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;
const STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, YEAR, 2 * YEAR, 5 * YEAR, 10 * YEAR, 25 * YEAR, 50 * YEAR, 100 * YEAR];
/** Tick labels are 11px text (styles.css .chart text): about this many px a character, and a gap between two. */
const CHAR_PX = 6.6;
const TICK_GAP = 14;
/** How far past now (or the last recorded instant) the chart looks: at least this, or a fifth of the history. */
const MIN_HORIZON = 30 * DAY;
const HORIZON_SHARE = 0.2;

const ms = (iso) => (iso ? Date.parse(iso) : null);

/**
 * Evenly spaced ticks on whole UTC hours or days whose labels never overlap: the smallest step at
 * which two neighbouring labels (at `pxPerMs`) are a label's width plus a gap apart; ticks whose
 * label would leave the plot (`[left, right]` in px, via `x`) are left out.
 */
export function ticks(t0, t1, pxPerMs, x = () => 0, left = -Infinity, right = Infinity) {
  const fits = (step) => step * pxPerMs >= labelWidth(t0, step) + TICK_GAP;
  const step = STEPS.find(fits) ?? STEPS.at(-1);
  const unit = step < DAY ? HOUR : DAY;
  const candidates = [];
  if (step >= YEAR) {
    // Year labels sit on 1 January of years that are a multiple of the step.
    const years = Math.round(step / YEAR);
    for (let y = Math.ceil(new Date(t0).getUTCFullYear() / years) * years; Date.UTC(y, 0, 1) <= t1; y += years) candidates.push(Date.UTC(y, 0, 1));
  } else {
    for (let t = Math.ceil(t0 / unit) * unit; t <= t1; t += step) candidates.push(t);
  }
  const out = candidates.filter((t) => t >= t0 && x(t) - labelWidth(t, step) / 2 >= left && x(t) + labelWidth(t, step) / 2 <= right);
  return { out, step };
}

const labelWidth = (t, step) => tickLabel(t, step).length * CHAR_PX;

function tickLabel(t, step) {
  const d = new Date(t);
  const date = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  if (step < DAY) return `${date} ${String(d.getUTCHours()).padStart(2, '0')}:00`;
  if (step >= YEAR) return `${d.getUTCFullYear()}`;
  if (step >= 30 * DAY) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `${date} ${d.getUTCFullYear()}`;
}

/** Where a version's life ends on the chart: destroyed, retired, else still going (now). */
const endOf = (v, now) => ms(v.destroyedAt) ?? ms(v.retiredAt) ?? now;

/**
 * The time span drawn: from the first version's creation through what happened (now, or the last
 * recorded instant) and retention still owed, but no further than a horizon past the history (the
 * longer of MIN_HORIZON and HORIZON_SHARE of it), so a backup kept for a century does not squeeze the
 * history into a pixel. Retention beyond `t1` is drawn to the edge and labelled (`clipped`).
 */
export function span(versions, now) {
  const starts = versions.map((v) => ms(v.createdAt));
  const t0 = Math.min(...starts);
  const recorded = versions.flatMap((v) => [endOf(v, now), ms(v.supersededAt), ...v.protects.map((p) => ms(p.until))]).filter((t) => t !== null);
  const history = Math.max(now, ...recorded);
  const owed = versions.map((v) => ms(v.retainedUntil)).filter((t) => t !== null);
  const horizon = history + Math.max(MIN_HORIZON, (history - t0) * HORIZON_SHARE);
  let t1 = Math.min(Math.max(history, ...owed), horizon);
  if (t1 - t0 < HOUR) t1 = t0 + HOUR;
  const pad = (t1 - t0) * 0.02;
  return { t0: t0 - pad, t1: t1 + pad };
}

export function KeyTimeline({ tenantId }) {
  return html`<${Loader} what="the key versions" reloadKey=${tenantId}
    load=${() => get(`/v1/tenants/${seg(tenantId)}/keys/timeline`)}
    render=${(timeline) => html`<${Chart} versions=${timeline.versions} />`} />`;
}

function Chart({ versions }) {
  if (versions.length === 0) return html`<p class="muted">No key version yet.</p>`;
  const now = engineClock.now();
  const sorted = [...versions].sort((a, b) => a.number - b.number);
  const { t0, t1 } = span(sorted, now);
  // Instants past the window are drawn at its right edge (retention owed far ahead, labelled).
  const x = (t) => LABEL + ((Math.min(t, t1) - t0) / (t1 - t0)) * (WIDTH - LABEL - RIGHT);
  const databases = [...new Set(sorted.flatMap((v) => v.protects.map((p) => p.databaseId)))].sort();
  const rowHeight = BAR + 14 + databases.length * LANE;
  const height = AXIS + sorted.length * rowHeight + 8;
  const { out: tickTimes, step } = ticks(t0, t1, (WIDTH - LABEL - RIGHT) / (t1 - t0), x, LABEL, WIDTH - 2);
  return html`<div class="key-timeline">
    <svg class="chart" viewBox=${`0 0 ${WIDTH} ${height}`} role="img" aria-label="Key versions over time">
      <defs>
        <pattern id="retained" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
          <rect width="6" height="6" class="retained-bg" />
          <line x1="0" y1="0" x2="0" y2="6" class="retained-line" />
        </pattern>
      </defs>
      ${tickTimes.map(
        (t) => html`<g class="tick">
          <line x1=${x(t)} x2=${x(t)} y1=${AXIS - 6} y2=${height} />
          <text x=${x(t)} y=${AXIS - 10} text-anchor="middle">${tickLabel(t, step)}</text>
        </g>`,
      )}
      ${now >= t0 && now <= t1
        ? html`<g class="now"><line x1=${x(now)} x2=${x(now)} y1=${AXIS - 4} y2=${height} /><text x=${x(now) + 3} y=${height - 2}>now</text></g>`
        : null}
      ${sorted.map((v, i) => {
        const top = AXIS + i * rowHeight;
        const created = ms(v.createdAt);
        const end = endOf(v, now);
        const superseded = ms(v.supersededAt);
        const activeEnd = superseded ?? end;
        const retainedEnd = ms(v.retiredAt) ?? ms(v.destroyedAt) ?? Math.min(now, ms(v.retainedUntil) ?? now);
        const planned = !v.retiredAt && !v.destroyedAt && v.retainedUntil && ms(v.retainedUntil) > now ? ms(v.retainedUntil) : null;
        return html`<g class=${`version status-${v.status}`} data-version=${v.keyVersionId}>
          <text class="label" x="4" y=${top + BAR - 2}>v${v.number} <tspan class="id">${shortId(v.keyVersionId, 14)}</tspan></text>
          <text class="sublabel" x="4" y=${top + BAR + 10}>${v.source} · ${v.status}</text>
          <rect class="seg-active" x=${x(created)} y=${top} width=${Math.max(1.5, x(activeEnd) - x(created))} height=${BAR}>
            <title>v${v.number} (${v.keyVersionId}) current from ${utc(v.createdAt)}${superseded ? ` to ${utc(v.supersededAt)}` : ''}</title>
          </rect>
          ${superseded !== null && retainedEnd > superseded
            ? html`<rect class="seg-retained" x=${x(superseded)} y=${top} width=${x(retainedEnd) - x(superseded)} height=${BAR}>
                <title>retained from ${utc(v.supersededAt)}${v.retiredAt ? ` to its retirement ${utc(v.retiredAt)}` : ''}</title>
              </rect>`
            : null}
          ${planned !== null
            ? html`<rect class="seg-planned" x=${x(Math.max(now, superseded ?? now))} y=${top + 0.5} width=${Math.max(0, x(planned) - x(Math.max(now, superseded ?? now)))} height=${BAR - 1}>
                <title>to be retained until ${utc(v.retainedUntil)}</title>
              </rect>`
            : null}
          ${planned !== null && planned > t1
            ? html`<g class="beyond" data-until=${v.retainedUntil}>
                <path d=${`M ${x(t1) - 7} ${top - 1} L ${x(t1)} ${top + BAR / 2} L ${x(t1) - 7} ${top + BAR + 1}`} />
                <text x=${x(t1) - 10} y=${top + BAR + 11} text-anchor="end">until ${v.retainedUntil.slice(0, 10)} →</text>
                <title>retained until ${utc(v.retainedUntil)}, beyond the chart</title>
              </g>`
            : null}
          ${v.destroyedAt
            ? html`<g class="mark-destroyed"><line x1=${x(ms(v.destroyedAt))} x2=${x(ms(v.destroyedAt))} y1=${top - 3} y2=${top + BAR + 3} /><title>destroyed ${utc(v.destroyedAt)}</title></g>`
            : v.retiredAt
              ? html`<g class="mark-retired"><line x1=${x(ms(v.retiredAt))} x2=${x(ms(v.retiredAt))} y1=${top - 3} y2=${top + BAR + 3} /><title>retired ${utc(v.retiredAt)}</title></g>`
              : null}
          ${v.protects.map((p) => {
            const lane = databases.indexOf(p.databaseId);
            const y = top + BAR + 4 + lane * LANE;
            const until = ms(p.until) ?? end;
            return html`<line class="protects" x1=${x(ms(p.from))} x2=${Math.max(x(ms(p.from)) + 1.5, x(until))} y1=${y} y2=${y}>
              <title>protected ${p.databaseId} from ${utc(p.from)}${p.until ? ` to ${utc(p.until)}` : ''}</title>
            </line>`;
          })}
        </g>`;
      })}
    </svg>
    <p class="legend">
      <span class="key seg-active">current version</span>
      <span class="key seg-retained">superseded, retained (P3)</span>
      <span class="key seg-planned">retention still owed</span>
      <span class="key protects">protects a database (one lane each: ${databases.join(', ') || 'none'})</span>
      <span class="key mark-destroyed">destroyed</span>
      <span class="key mark-retired">retired</span>
    </p>
    <${VersionTable} versions=${sorted} />
  </div>`;
}

/** A long version id cut to `max` characters (the whole id is in the tooltip). */
function shortId(id, max = 22) {
  return id.length > max ? `${id.slice(0, max - 1)}…` : id;
}

function VersionTable({ versions }) {
  return html`<table class="grid versions">
    <thead><tr><th>Version</th><th>Source</th><th>Created</th><th>Superseded</th><th>Retained until</th><th>Retired</th><th>Destroyed</th><th>Held by backups</th></tr></thead>
    <tbody>
      ${versions.map(
        (v) => html`<tr data-version=${v.keyVersionId}>
          <td class="nowrap">v${v.number} <code title=${v.keyVersionId}>${shortId(v.keyVersionId)}</code><br /><span class=${`badge status-${v.status}`}>${v.status}</span></td>
          <td>${v.source}</td>
          <td>${utc(v.createdAt)}</td>
          <td>${utc(v.supersededAt)}</td>
          <td>${utc(v.retainedUntil)}</td>
          <td>${utc(v.retiredAt)}</td>
          <td>${utc(v.destroyedAt)}</td>
          <td class="backups">
            ${v.retainedBecause.length === 0
              ? html`<span class="muted">none</span>`
              : v.retainedBecause.map((b) => html`<div class="backup" data-backup=${b.backupId}><code>${b.backupId}</code> ${b.kind}, expires ${utc(b.expiresAt)}</div>`)}
            ${v.retainingBackups > v.retainedBecause.length ? html`<div class="muted">and ${v.retainingBackups - v.retainedBecause.length} more</div>` : null}
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

// The fleet at a glance: tenants by status, the shreds under way with a live countdown to each
// deadline (and how the finished ones ended), and what breaks P1–P3 right now.
import { html, Component } from './preact.js';
import { get, getAll } from './api.js';
import { Countdown, ErrorNote, Loading, Section, Status } from './components.js';
import { duration, engineClock, utc } from './time.js';

const TENANT_STATUSES = ['active', 'shred-scheduled', 'shredding', 'shredded', 'verified', 'breached'];
const IN_FLIGHT = new Set(['shred-scheduled', 'shredding', 'shredded']);
/** The largest fleet counted on one load: 10 pages of 1000 tenants (more is said, not hidden). */
const MAX_TENANT_PAGES = 10;

export const tenantHref = (tenantId) => `#/tenants/${encodeURIComponent(tenantId)}`;

async function loadFleet() {
  // The compliance report's `at` is the engine's now: the countdowns run on it.
  const [tenants, shreds, compliance, rejected] = await Promise.all([
    getAll('/v1/tenants', { maxPages: MAX_TENANT_PAGES }),
    getAll('/v1/shreds', { maxPages: 5 }),
    getAll('/v1/compliance', { maxPages: 10 }),
    get('/v1/rejected-events'),
  ]);
  if (compliance.last?.at) engineClock.sync(compliance.last.at);
  return { tenants, shreds, compliance, rejected };
}

export class FleetPage extends Component {
  constructor(props) {
    super(props);
    this.state = { fleet: undefined, error: undefined, filter: null };
  }
  componentDidMount() {
    this.refresh();
    this.timer = setInterval(() => this.refresh(), 30_000);
  }
  componentWillUnmount() {
    clearInterval(this.timer);
  }
  async refresh() {
    try {
      this.setState({ fleet: await loadFleet(), error: undefined });
    } catch (error) {
      this.setState({ error });
    }
  }
  render(_props, { fleet, error, filter }) {
    if (!fleet) return error ? html`<${ErrorNote} error=${error} />` : html`<${Loading} what="the fleet" />`;
    const { tenants, shreds, compliance, rejected } = fleet;
    return html`<div class="page fleet">
      <h1>Fleet</h1>
      <${ErrorNote} error=${error} />
      <${StatusCounts} tenants=${tenants} filter=${filter} onFilter=${(f) => this.setState({ filter: f === filter ? null : f })} />
      <${ShredsInFlight} shreds=${shreds.items.filter((s) => IN_FLIGHT.has(s.status))} />
      <${Compliance} items=${compliance.items} rules=${compliance.last} complete=${compliance.complete} rejected=${rejected} />
      <${FinishedShreds} shreds=${shreds.items.filter((s) => s.status === 'verified' || s.status === 'breached')} />
      <${TenantList} tenants=${tenants.items} filter=${filter} />
    </div>`;
  }
}

function StatusCounts({ tenants, filter, onFilter }) {
  const counts = Object.fromEntries(TENANT_STATUSES.map((s) => [s, 0]));
  for (const t of tenants.items) counts[t.status] = (counts[t.status] ?? 0) + 1;
  const total = tenants.items.length;
  return html`<${Section} title="Tenants by status" id="tenant-status"
      aside=${html`<span class="muted">${total} tenant${total === 1 ? '' : 's'}${tenants.complete ? '' : ` (the first ${total} counted)`}</span>`}>
    <div class="counts">
      ${TENANT_STATUSES.map(
        (s) => html`<button type="button" class=${`count status-edge-${s}${filter === s ? ' selected' : ''}`} data-status=${s} onClick=${() => onFilter(s)}
            title=${`Show the ${s} tenants below`}>
          <span class="count-n">${counts[s]}</span><span class="count-label">${s}</span>
        </button>`,
      )}
    </div>
  <//>`;
}

function ShredsInFlight({ shreds }) {
  const sorted = [...shreds].sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline));
  return html`<${Section} title="Shreds under way" id="shreds" aside=${html`<span class="muted">deadline: 5 working days after the trigger (P4)</span>`}>
    ${sorted.length === 0
      ? html`<p class="muted">No shred is scheduled or running.</p>`
      : html`<table class="grid">
          <thead><tr><th>Tenant</th><th>Status</th><th>Trigger effective</th><th>Executes</th><th>Deadline</th><th>Time to deadline</th></tr></thead>
          <tbody>
            ${sorted.map(
              (s) => html`<tr data-tenant=${s.tenantId}>
                <td><a href=${tenantHref(s.tenantId)}>${s.tenantId}</a></td>
                <td><${Status} value=${s.status} /></td>
                <td>${utc(s.effectiveAt)}</td>
                <td>${s.executedAt ? html`done ${utc(s.executedAt)}` : utc(s.executeAt)}</td>
                <td>${utc(s.deadline)}</td>
                <td><${Countdown} to=${s.deadline} /></td>
              </tr>`,
            )}
          </tbody>
        </table>`}
  <//>`;
}

function FinishedShreds({ shreds }) {
  if (shreds.length === 0) return null;
  const sorted = [...shreds].sort((a, b) => Date.parse(b.verifiedAt ?? b.deadline) - Date.parse(a.verifiedAt ?? a.deadline));
  return html`<${Section} title="Finished shreds" id="finished-shreds">
    <table class="grid">
      <thead><tr><th>Tenant</th><th>Status</th><th>Deadline</th><th>Verified</th><th>Margin</th><th>Breaches</th></tr></thead>
      <tbody>
        ${sorted.map((s) => {
          const margin = s.verifiedAt ? Date.parse(s.deadline) - Date.parse(s.verifiedAt) : null;
          return html`<tr data-tenant=${s.tenantId}>
            <td><a href=${tenantHref(s.tenantId)}>${s.tenantId}</a></td>
            <td><${Status} value=${s.status} /></td>
            <td>${utc(s.deadline)}</td>
            <td>${utc(s.verifiedAt)}</td>
            <td class=${margin !== null && margin < 0 ? 'overdue' : ''}>${margin === null ? '—' : margin >= 0 ? `${duration(margin)} early` : `${duration(margin)} late`}</td>
            <td>${s.breaches.length === 0 ? 'none' : s.breaches.map((b) => b.cause).join(', ')}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  <//>`;
}

const describeViolation = (v) => {
  switch (v.promise) {
    case 'P1':
      return `newest key version ${v.newestKeyVersionId} created ${utc(v.newestCreatedAt)}, older than ${v.limitDays} days`;
    case 'P2':
      return `${v.databases.map((d) => d.databaseId).join(', ')} not yet on key version ${v.keyVersionId}`;
    case 'P3':
      return v.problem === 'kept-after-retain-until'
        ? `key version ${v.keyVersionId} kept past its retention (${utc(v.retainUntil)})`
        : `backup ${v.backupId} needs retired key version(s) ${v.keyVersionIds.join(', ')}`;
    default:
      return v.problem ?? '';
  }
};

function Compliance({ items, rules, complete, rejected }) {
  const promises = ['P1', 'P2', 'P3'];
  return html`<${Section} title="Compliance" id="compliance" aside=${html`<span class="muted">as of ${utc(rules?.at)}</span>`}>
    <ul class="promises">
      ${promises.map((p) => {
        const n = items.filter((i) => i.promise === p).length;
        return html`<li class=${n === 0 ? 'ok' : 'broken'} data-promise=${p}>
          <strong>${p}</strong><span class="state">${n === 0 ? 'kept' : `${n} violation${n === 1 ? '' : 's'}`}</span>
          <span class="muted">${rules?.[p]?.rule ?? ''}</span>
        </li>`;
      })}
      <li class=${rejected.total === 0 ? 'ok' : 'broken'} data-rejected=${rejected.total}>
        <strong>Contract events</strong><span class="state">${rejected.total === 0 ? 'none rejected' : `${rejected.total} rejected`}</span>
        <span class="muted">events appended to a contract stream that broke its schema never trigger a shred</span>
      </li>
    </ul>
    ${items.length === 0
      ? html`<p class="muted">No violations${complete ? '' : ' on the key rings read'}.</p>`
      : html`<table class="grid">
          <thead><tr><th>Promise</th><th>Tenant</th><th>What</th></tr></thead>
          <tbody>
            ${items.map(
              (v) => html`<tr class="violation">
                <td><span class="badge status-breached">${v.promise}</span></td>
                <td><a href=${tenantHref(v.tenantId)}>${v.tenantId}</a></td>
                <td>${describeViolation(v)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`}
    ${complete ? null : html`<p class="muted">Only the first key rings were read; more violations may exist.</p>`}
  <//>`;
}

function TenantList({ tenants, filter }) {
  const shown = tenants.filter((t) => !filter || t.status === filter);
  const first = shown.slice(0, 200);
  return html`<${Section} title=${filter ? `Tenants: ${filter}` : 'Tenants'} id="tenants"
      aside=${html`<span class="muted">${shown.length > first.length ? `the first ${first.length} of ${shown.length}` : `${shown.length}`}${filter ? ' (click the status again for all)' : ''}</span>`}>
    ${first.length === 0
      ? html`<p class="muted">No tenant${filter ? ` is ${filter}` : ' yet'}.</p>`
      : html`<table class="grid">
          <thead><tr><th>Tenant</th><th>Status</th><th>Jurisdiction</th><th>Key custody</th><th>Databases</th><th>Onboarded</th></tr></thead>
          <tbody>
            ${first.map(
              (t) => html`<tr data-tenant=${t.tenantId}>
                <td><a href=${tenantHref(t.tenantId)}>${t.tenantId}</a></td>
                <td><${Status} value=${t.status} /></td>
                <td>${t.jurisdiction}</td>
                <td>${t.keyCustody}</td>
                <td>${t.databases.length}</td>
                <td>${utc(t.onboardedAt)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`}
  <//>`;
}

// One tenant: its status and profile, its shred against the working-day calendar, its key versions
// over time with the backups that hold each, its certificate, and its event history.
import { html, Component } from './preact.js';
import { get, seg } from './api.js';
import { Countdown, ErrorNote, Loader, Loading, Section, Status } from './components.js';
import { ShredTimeline } from './shred-timeline.js';
import { KeyTimeline } from './key-timeline.js';
import { Certificate } from './certificate.js';
import { EventHistory } from './events.js';
import { engineClock, utc } from './time.js';

export class TenantPage extends Component {
  constructor(props) {
    super(props);
    this.state = { tenant: undefined, error: undefined, missing: false, version: 0 };
  }
  componentDidMount() {
    this.load();
  }
  componentDidUpdate(previous) {
    if (previous.tenantId !== this.props.tenantId) {
      this.setState({ tenant: undefined, missing: false });
      this.load();
    }
  }
  async load() {
    const id = this.props.tenantId;
    try {
      // The engine's now (the countdown and the chart's "now" run on it), then the tenant.
      const [clock, tenant] = await Promise.all([get('/v1/compliance?limit=1'), get(`/v1/tenants/${seg(id)}`, { notFound: null })]);
      engineClock.sync(clock.at);
      if (id !== this.props.tenantId) return;
      this.setState({ tenant, missing: tenant === null, error: undefined, version: this.state.version + 1 });
    } catch (error) {
      this.setState({ error });
    }
  }
  render({ tenantId }, { tenant, error, missing, version }) {
    if (missing) return html`<div class="page"><h1>${tenantId}</h1><p class="error" role="alert">No tenant ${tenantId} is known to the engine.</p><p><a href="#/">Back to the fleet</a></p></div>`;
    if (!tenant) return error ? html`<${ErrorNote} error=${error} />` : html`<${Loading} what=${`tenant ${tenantId}`} />`;
    const shred = tenant.shred;
    return html`<div class="page tenant" data-tenant=${tenant.tenantId}>
      <p class="crumbs"><a href="#/">Fleet</a> › ${tenant.tenantId}</p>
      <div class="title-row">
        <h1>${tenant.tenantId}</h1>
        <${Status} value=${tenant.status} />
        <button type="button" class="secondary" onClick=${() => this.load()}>Refresh</button>
      </div>
      <${ErrorNote} error=${error} />
      <${Section} title="Tenant" id="profile">
        <dl class="facts">
          <dt>Status</dt><dd><${Status} value=${tenant.status} /></dd>
          <dt>Jurisdiction</dt><dd>${tenant.jurisdiction} (${tenant.timeZone})</dd>
          <dt>Key custody</dt><dd>${tenant.keyCustody}; backups ${tenant.backupKeyMode === 'platform' ? 'under the platform key' : 'under the tenant key'}</dd>
          <dt>Databases</dt><dd>${tenant.databases.map((d) => d.databaseId).join(', ')}</dd>
          <dt>Onboarded</dt><dd>${utc(tenant.onboardedAt)}</dd>
          <dt>Shred grace</dt><dd>${tenant.shredGraceWorkingDays} working day${tenant.shredGraceWorkingDays === 1 ? '' : 's'}</dd>
        </dl>
      <//>
      ${shred ? html`<${ShredSection} tenant=${tenant} />` : html`<${Section} title="Shred" id="shred"><p class="muted">No shred: the tenant was never terminated.</p><//>`}
      <${Section} title="Key versions" id="keys"><${KeyTimeline} tenantId=${tenant.tenantId} key=${version} /><//>
      ${shred && !shred.cancelledAt ? html`<${Section} title="Deletion certificate" id="certificate"><${Certificate} tenantId=${tenant.tenantId} reloadKey=${version} /><//>` : null}
      <${Section} title="Event history" id="events"><${EventHistory} tenantId=${tenant.tenantId} key=${version} /><//>
    </div>`;
  }
}

function ShredSection({ tenant }) {
  const s = tenant.shred;
  const cancelled = s.cancelledAt !== null;
  const open = !s.verifiedAt && !cancelled;
  const trigger = s.trigger.kind === 'termination' ? `termination ${s.trigger.terminationId} (contract ${s.trigger.contractId})` : `deletion request ${s.trigger.requestId}`;
  // A cancelled shred will never execute and owes no deadline: neither is shown as if still planned.
  return html`<${Section} title="Shred" id="shred" aside=${html`<${Status} value=${s.status} />`}>
    <dl class="facts">
      <dt>Shred</dt><dd><code>${s.shredId}</code>, ${trigger}</dd>
      <dt>Effective</dt><dd>${utc(s.effectiveAt)}</dd>
      ${cancelled
        ? html`<dt>Cancelled</dt><dd class="cancelled">${utc(s.cancelledAt, { seconds: true })} · <${CancelledBy} tenantId=${tenant.tenantId} shredId=${s.shredId} /></dd>
            ${s.executedAt ? html`<dt>Executed</dt><dd>${utc(s.executedAt, { seconds: true })}</dd>` : null}`
        : html`<dt>Deadline</dt><dd>${utc(s.deadline)} ${open ? html`· <${Countdown} to=${s.deadline} />` : null}</dd>
            <dt>Executed</dt><dd>${s.executedAt ? utc(s.executedAt, { seconds: true }) : `planned ${utc(s.executeAt)}`}</dd>
            <dt>Verified</dt><dd>${s.verifiedAt ? `${utc(s.verifiedAt, { seconds: true })} after ${s.probeAttempts} probe${s.probeAttempts === 1 ? '' : 's'}` : '—'}</dd>`}
      <dt>Breaches</dt><dd>${s.breaches.length === 0 ? 'none' : s.breaches.map((b) => `${b.cause} at ${utc(b.at)}`).join('; ')}</dd>
    </dl>
    <h3>Against the working-day calendar</h3>
    <${ShredTimeline} tenant=${tenant} />
  <//>`;
}

/** Pages of the tenant's history read at most to find what cancelled a shred. */
const CAUSE_PAGES = 20;

/** What cancelled the shred, from its ShredCancelled event's cause in the tenant's history. */
function CancelledBy({ tenantId, shredId }) {
  const load = async () => {
    let found = null;
    let after = '';
    for (let pages = 0; pages < CAUSE_PAGES; pages++) {
      const page = await get(`/v1/tenants/${seg(tenantId)}/events?limit=500${after}`);
      found = page.items.filter((e) => e.type === 'ShredCancelled' && e.summary.includes(shredId)).at(-1) ?? found;
      if (!page.nextCursor) break;
      after = `&after=${encodeURIComponent(page.nextCursor)}`;
    }
    return { cause: found?.cause ?? null };
  };
  return html`<${Loader} what="what cancelled it" reloadKey=${`${tenantId}:${shredId}`} load=${load}
    render=${({ cause }) => html`<span class="cancelled-by">${cancelCause(cause)}</span>`} />`;
}

function cancelCause(cause) {
  if (!cause) return 'by a cause not recorded';
  if (cause.kind === 'request' && cause.name === 'cancel-shred') return 'by an operator (POST /v1/tenants/{id}/shred/cancel)';
  if (cause.kind === 'event') return `following ${cause.name}${cause.position ? ` #${cause.position}` : ''}`;
  if (cause.kind === 'contract-system') return 'by the contract system';
  return `by ${cause.kind} ${cause.name ?? ''}`.trim();
}

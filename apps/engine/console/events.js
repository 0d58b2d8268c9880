// A tenant's event history, oldest first, a page at a time: every decision and action Lethe recorded
// for it (its tenant, key ring and contract streams), with what caused each and who (the subject of
// the API call; none for timers and processors).
import { html, Component } from './preact.js';
import { get, seg } from './api.js';
import { ErrorNote, Loading } from './components.js';
import { utc } from './time.js';

const PAGE = 100;

/** `request onboard-tenant`, `event ContractTerminated #8`, `timer rotation`; `—` when unknown. */
function causeText(cause) {
  if (!cause) return '—';
  return `${cause.kind} ${cause.name ?? ''}${cause.position ? ` #${cause.position}` : ''}`.trim();
}

export class EventHistory extends Component {
  constructor(props) {
    super(props);
    this.state = { items: [], nextCursor: undefined, error: undefined, loading: false };
  }
  componentDidMount() {
    this.more();
  }
  async more() {
    this.setState({ loading: true });
    try {
      const after = this.state.nextCursor ? `&after=${encodeURIComponent(this.state.nextCursor)}` : '';
      const page = await get(`/v1/tenants/${seg(this.props.tenantId)}/events?limit=${PAGE}${after}`);
      this.setState({ items: [...this.state.items, ...page.items], nextCursor: page.nextCursor, error: undefined, loading: false });
    } catch (error) {
      this.setState({ error, loading: false });
    }
  }
  render(_props, { items, nextCursor, error, loading }) {
    if (items.length === 0 && loading) return html`<${Loading} what="the events" />`;
    return html`<div class="events">
      <${ErrorNote} error=${error} />
      ${items.length === 0
        ? error
          ? null
          : html`<p class="muted">No events.</p>`
        : html`<table class="grid events-table">
            <thead><tr><th>#</th><th>At</th><th>Event</th><th>Stream</th><th>What</th><th>Cause</th><th>By</th></tr></thead>
            <tbody>
              ${items.map(
                (e) => html`<tr data-type=${e.type}>
                  <td class="num">${e.position}</td>
                  <td class="nowrap">${utc(e.at, { seconds: true })}</td>
                  <td><code>${e.type}</code></td>
                  <td class="muted nowrap">${e.stream}</td>
                  <td>${e.summary}</td>
                  <td class="muted nowrap">${causeText(e.cause)}</td>
                  <td class="nowrap">${e.by ?? '—'}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      ${nextCursor ? html`<button type="button" class="secondary" disabled=${loading} onClick=${() => this.more()}>Older events…</button>` : null}
    </div>`;
  }
}

// Break-glass grants, read-only (issue 16): who asked for privileged access, for which task, tenants
// and operations, who approved it, its window, and how often it was used or refused. Active grants
// first; refreshed every 30 s. Approving and revoking stay with the API (the console only reads).
import { html, Component } from './preact.js';
import { get } from './api.js';
import { ErrorNote, Loading, Section, Status } from './components.js';
import { utc } from './time.js';

function state(grant) {
  return grant.active ? 'active' : grant.status;
}

export class BreakGlassPage extends Component {
  constructor(props) {
    super(props);
    this.state = { grants: undefined, error: undefined };
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
      this.setState({ grants: (await get('/v1/break-glass')).items, error: undefined });
    } catch (error) {
      this.setState({ error });
    }
  }
  render(_props, { grants, error }) {
    if (!grants) return error ? html`<${ErrorNote} error=${error} />` : html`<${Loading} what="the break-glass grants" />`;
    const ordered = [...grants.filter((g) => g.active), ...grants.filter((g) => !g.active)];
    return html`<div class="page break-glass">
      <h1>Break-glass</h1>
      <${ErrorNote} error=${error} />
      <${Section} title=${`Grants (${grants.filter((g) => g.active).length} active)`} id="grants">
        ${ordered.length === 0
          ? html`<p class="muted">No break-glass grant was ever requested.</p>`
          : html`<table class="grid grants-table">
              <thead><tr><th>State</th><th>Task</th><th>Requested by</th><th>Tenants</th><th>Operations</th><th>Approved by</th><th>Window</th><th>Uses</th><th>Refusals</th></tr></thead>
              <tbody>
                ${ordered.map(
                  (g) => html`<tr data-grant=${g.grantId}>
                    <td><${Status} value=${state(g)} /></td>
                    <td><code>${g.taskRef}</code><div class="muted">${g.reason}</div></td>
                    <td>${g.requestedBy}<div class="muted nowrap">${utc(g.requestedAt)}</div></td>
                    <td>${g.scope.tenantIds.join(', ')}</td>
                    <td>${g.scope.operations.map((o) => html`<code>${o}</code> `)}</td>
                    <td>${g.approvals.map((a) => a.approver).join(', ') || '—'} <span class="muted">(${g.approvals.length}/${g.approvalsRequired})</span></td>
                    <td class="nowrap">${g.activeFrom ? `${utc(g.activeFrom)} → ${utc(g.expiresAt)}` : `${g.durationMinutes} min once approved`}</td>
                    <td class="num">${g.uses}</td>
                    <td class="num">${g.refusals}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      <//>
    </div>`;
  }
}

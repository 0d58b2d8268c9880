// The console's shell: the login screen until a token is kept for this tab, then the page the
// location's hash names (#/ the fleet, #/tenants/<id> a tenant, #/break-glass the grants). A 401 or 403 from any call drops the
// token and shows the login screen again, saying why.
import { html, render, Component } from './preact.js';
import { onAuthRefused, session } from './api.js';
import { Login } from './login.js';
import { FleetPage } from './fleet.js';
import { TenantPage } from './tenant.js';
import { BreakGlassPage } from './break-glass.js';
import { EngineTime } from './components.js';

function route() {
  if (location.hash.startsWith('#/break-glass')) return { page: 'break-glass' };
  const match = /^#\/tenants\/([^/?#]+)/.exec(location.hash);
  if (match) {
    try {
      return { page: 'tenant', tenantId: decodeURIComponent(match[1]) };
    } catch {
      return { page: 'fleet' };
    }
  }
  return { page: 'fleet' };
}

class App extends Component {
  constructor(props) {
    super(props);
    this.state = { signedIn: session.token() !== null, message: undefined, route: route() };
  }
  componentDidMount() {
    this.onHash = () => this.setState({ route: route() });
    window.addEventListener('hashchange', this.onHash);
    this.stopListening = onAuthRefused((error) => {
      session.clear();
      this.setState({ signedIn: false, message: error.message });
    });
  }
  componentWillUnmount() {
    window.removeEventListener('hashchange', this.onHash);
    this.stopListening();
  }
  signOut() {
    session.clear();
    this.setState({ signedIn: false, message: 'Signed out.' });
  }
  render(_props, { signedIn, message, route: r }) {
    if (!signedIn) return html`<${Login} message=${message} onSignedIn=${() => this.setState({ signedIn: true, message: undefined })} />`;
    return html`<div class="shell">
      <header class="top">
        <a class="brand" href="#/">Lethe console</a>
        <nav><a href="#/" class=${r.page === 'fleet' ? 'current' : ''}>Fleet</a> <a href="#/break-glass" class=${r.page === 'break-glass' ? 'current' : ''}>Break-glass</a></nav>
        <${EngineTime} />
        <button type="button" class="secondary" id="sign-out" onClick=${() => this.signOut()}>Sign out</button>
      </header>
      <main>
        ${r.page === 'tenant' ? html`<${TenantPage} tenantId=${r.tenantId} />` : r.page === 'break-glass' ? html`<${BreakGlassPage} />` : html`<${FleetPage} />`}
      </main>
    </div>`;
  }
}

const root = document.getElementById('app');
// Preact renders beside what is already there: the static "Loading…" line goes first.
root.replaceChildren();
render(html`<${App} />`, root);

// The login screen: the token is checked with one read the ops-reader role may make, then kept in
// this tab's sessionStorage. A refused token (401) or role (403) is said plainly, and nothing is kept.
import { html, Component } from './preact.js';
import { AuthError, get, session } from './api.js';

export class Login extends Component {
  constructor(props) {
    super(props);
    this.state = { token: '', checking: false, error: undefined };
  }
  async submit(event) {
    event.preventDefault();
    const token = this.state.token.trim();
    if (!token) return this.setState({ error: 'Enter a token.' });
    this.setState({ checking: true, error: undefined });
    try {
      await get('/v1/tenants?limit=1', { token });
      session.set(token);
      this.setState({ token: '', checking: false });
      this.props.onSignedIn();
    } catch (error) {
      this.setState({ checking: false, error: error instanceof AuthError ? error.message : `The engine could not be reached: ${error.message}` });
    }
  }
  render({ message }, { token, checking, error }) {
    const shown = error ?? message;
    return html`<main class="login">
      <form class="card login-card" onSubmit=${(e) => this.submit(e)} autocomplete="off">
        <h1>Lethe console</h1>
        <p class="muted">Read-only view of the fleet: tenants, shreds, key versions, certificates.</p>
        ${shown ? html`<p class="error" role="alert" id="login-error">${shown}</p>` : null}
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" value=${token}
          onInput=${(e) => this.setState({ token: e.currentTarget.value })} />
        <button type="submit" disabled=${checking}>${checking ? 'Checking…' : 'Sign in'}</button>
        <p class="hint">Use the <strong>ops-reader</strong> token (from LETHE_TOKENS or the engine's tokens file). It is kept for this browser tab only and sent to this engine alone, as a bearer token.</p>
      </form>
    </main>`;
  }
}

// Small pieces every page uses: status badges, the live countdown, loading and error notes.
import { html, Component } from './preact.js';
import { AuthError } from './api.js';
import { countdown, engineClock, utc } from './time.js';

/** A tenant's or shred's status as a coloured badge (`status-<value>` in styles.css). */
export function Status({ value }) {
  return html`<span class=${`badge status-${value}`}>${value}</span>`;
}

/** Every second, re-renders the components that show a countdown (one timer for the whole page). */
const ticking = new Set();
setInterval(() => {
  for (const c of ticking) c.forceUpdate();
}, 1000);

/** The time left until `to` on the engine's clock, ticking each second; red once overdue. */
export class Countdown extends Component {
  componentDidMount() {
    ticking.add(this);
  }
  componentWillUnmount() {
    ticking.delete(this);
  }
  render({ to }) {
    const { text, overdue } = countdown(to);
    return html`<span class=${overdue ? 'countdown overdue' : 'countdown'} data-deadline=${to}>${text}</span>`;
  }
}

/**
 * The engine's clock as it last answered (on each page load and Refresh), never extrapolated: the
 * console cannot tell a manual clock (tests, simulations: frozen between moves) from the system
 * clock, so a ticking header would show times the engine never had. Re-renders when a read syncs it.
 */
export class EngineTime extends Component {
  componentDidMount() {
    this.stop = engineClock.onSync(() => this.forceUpdate());
  }
  componentWillUnmount() {
    this.stop();
  }
  render() {
    const at = engineClock.lastAnswer();
    if (at === null) return null;
    return html`<span class="clock" data-engine-at=${at} title="The engine's clock (it may be a manual clock) as of the page's last refresh; reload or Refresh to read it again">engine clock at last refresh: ${utc(at, { seconds: true })}</span>`;
  }
}

export function Loading({ what }) {
  return html`<p class="muted">Loading ${what}…</p>`;
}

/** An error of a part of a page. A refused token is handled by the login screen, so shows nothing here. */
export function ErrorNote({ error }) {
  if (!error || error instanceof AuthError) return null;
  return html`<p class="error" role="alert">${error.message}</p>`;
}

/** A titled block of a page. */
export function Section({ title, id, aside, children }) {
  return html`<section class="card" id=${id}>
    <header class="card-head"><h2>${title}</h2>${aside ? html`<div class="card-aside">${aside}</div>` : null}</header>
    ${children}
  </section>`;
}

/** Loads `load()` once when mounted (and when `reloadKey` changes); renders `render(data)`. */
export class Loader extends Component {
  constructor(props) {
    super(props);
    this.state = { data: undefined, error: undefined };
  }
  componentDidMount() {
    this.load();
  }
  componentDidUpdate(previous) {
    if (previous.reloadKey !== this.props.reloadKey) this.load();
  }
  async load() {
    const ticket = (this.ticket = (this.ticket ?? 0) + 1);
    try {
      const data = await this.props.load();
      if (ticket === this.ticket) this.setState({ data, error: undefined });
    } catch (error) {
      if (ticket === this.ticket) this.setState({ error });
    }
  }
  render({ render, what }, { data, error }) {
    if (error) return html`<${ErrorNote} error=${error} />`;
    if (data === undefined) return html`<${Loading} what=${what} />`;
    return render(data);
  }
}

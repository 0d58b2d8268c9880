// The console's only way to data: the engine's /v1 API, on the origin that served the console, with
// the bearer token typed in on the login screen. The token lives in sessionStorage: this tab only,
// gone when the tab closes, never in a URL, a cookie or a log.

const TOKEN_KEY = 'lethe.console.token';
/** The engine's root, from the console's own URL (…/console/ → …/), so a path prefix still works. */
const ROOT = new URL('../', document.baseURI);

export const session = {
  token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** The engine refused the token (401) or its role (403). */
export class AuthError extends Error {
  constructor(status, detail) {
    super(authMessage(status, detail));
    this.status = status;
  }
}

/** Any other answer than the one asked for: the problem's detail, or the HTTP status. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ? `${problem.detail} (${status})` : `The engine answered ${status}.`);
    this.status = status;
    this.code = problem?.code;
  }
}

export function authMessage(status, detail) {
  if (status === 401) return 'The engine did not accept this token (401 unauthorized). Enter the ops-reader token.';
  return `This token may not read the fleet (403 forbidden${detail ? `: ${detail}` : ''}). Use the ops-reader token.`;
}

/** Listeners told when the engine refuses the session's token, so the login screen shows again. */
const refusals = new Set();
export function onAuthRefused(listener) {
  refusals.add(listener);
  return () => refusals.delete(listener);
}

/**
 * GET `path` (e.g. `/v1/tenants?limit=10`) as JSON. Options: `token` (default: the session's),
 * `notFound` (what a 404 answers instead of an error, e.g. null). Throws AuthError on 401/403 (and
 * tells the listeners, unless `token` was given: a login attempt reports its own failure), ApiError
 * on any other non-2xx.
 */
export async function get(path, { token, notFound } = {}) {
  const bearer = token ?? session.token();
  const response = await fetch(new URL(path.replace(/^\//, ''), ROOT), {
    headers: { accept: 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  if (response.status === 401 || response.status === 403) {
    const problem = await response.json().catch(() => undefined);
    const error = new AuthError(response.status, response.status === 403 ? problem?.detail : undefined);
    if (token === undefined) for (const listener of refusals) listener(error);
    throw error;
  }
  if (response.status === 404 && notFound !== undefined) return notFound;
  if (response.status !== 200) throw new ApiError(response.status, await response.json().catch(() => undefined));
  return response.json();
}

/**
 * Every item of a paged listing (`{items, nextCursor}`), following `nextCursor` for at most
 * `maxPages` pages of `limit`. Answers `{items, complete, last}` (`complete`: no page was left;
 * `last`: the last page's whole body).
 */
export async function getAll(path, { limit = 1000, maxPages = 10, key = 'items' } = {}) {
  const items = [];
  let cursor = null;
  let last;
  for (let page = 0; page < maxPages; page++) {
    const sep = path.includes('?') ? '&' : '?';
    last = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...last[key]);
    cursor = last.nextCursor;
    if (!cursor) return { items, complete: true, last };
  }
  return { items, complete: false, last };
}

/** Encodes one path segment (tenant ids are plain, but the console never trusts a URL's hash). */
export const seg = (value) => encodeURIComponent(value);

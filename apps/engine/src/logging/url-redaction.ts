// Query-string values of parameters named like a credential are never logged: a token sent as
// `?access_token=` is refused by the API, and must not reach the log either.

/** A parameter whose name contains one of these (case-insensitive) has its value replaced. */
const SENSITIVE_PARAM = /token|key|secret|pass|pwd|signature|sig$|code|auth|bearer|jwt|credential|session|cookie/i;
const CENSOR = '[redacted]';

/**
 * `url` (a path with a query string, or an absolute URL) with the value of every sensitive query
 * parameter replaced by `[redacted]`; names, order and the other values are kept as sent.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the raw name.
      }
      return eq >= 0 && SENSITIVE_PARAM.test(name) ? `${rawName}=${CENSOR}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}

// A URL inside any logged string: `?` or `&`, a name, `=`, a value.
const QUERY_PAIR = /([?&])([^=&#\s"']*)=([^&#\s"']*)/g;

/** Redacts sensitive query parameters in every URL a free-form string contains. */
export function redactUrlsIn(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(QUERY_PAIR, (match, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return SENSITIVE_PARAM.test(decoded) ? `${sep}${name}=${CENSOR}` : match;
  });
}

// URLs the engine sends requests to must not carry credentials (`https://user:pass@host/…`): a URL
// travels into logs, error messages, metrics and proxies' access logs, where a password must never
// be. Each such setting has its own way to authenticate instead (a webhook's signing secret, the
// probe's headers file, a JWKS file).

/** The rule a refused URL setting states, e.g. `LETHE_WEBHOOKS: entry 1 (url) must not carry credentials …`. */
export const NO_URL_CREDENTIALS_RULE = 'must not carry credentials (user:password@ before the host: a URL ends up in logs)';

/** Whether `url` holds a user name or a password. */
export function carriesCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

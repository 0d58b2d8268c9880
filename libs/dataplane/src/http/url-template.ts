// Where the http read probe reads a database's sentinel: a URL with {tenantId} and {databaseId}
// placeholders, each replaced by the URL-encoded id (encodeURIComponent, so an id can never add a
// path segment, a query or a fragment).

export const URL_PLACEHOLDERS = ['tenantId', 'databaseId'] as const;
export type UrlPlaceholder = (typeof URL_PLACEHOLDERS)[number];

/** A checked template; `expand` always gives an absolute http(s) URL. */
export interface UrlTemplate {
  readonly template: string;
  /** Scheme, host and port: what a detail may name (never the path or query, which may carry ids or tokens). */
  readonly origin: string;
  expand(tenantId: string, databaseId: string): URL;
}

export interface UrlTemplateRules {
  /** Placeholders the template must contain (a global template needs both; a tenant's own needs {databaseId}). */
  readonly required: readonly UrlPlaceholder[];
  /** http:// accepted (tests only: headers then travel in clear); otherwise https:// only. */
  readonly allowHttp: boolean;
}

/** A template that breaks a rule; the message states the rule and never echoes the template. */
export class UrlTemplateError extends Error {
  constructor(
    readonly rule: string,
    /** 'https-only': an http:// URL where only https:// is allowed (the caller may say how to allow it). */
    readonly code: 'https-only' | 'invalid' = 'invalid',
  ) {
    super(rule);
    this.name = 'UrlTemplateError';
  }
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const STAND_IN: Record<UrlPlaceholder, string> = { tenantId: 'lethe-tenant-7f3a9c', databaseId: 'lethe-database-7f3a9c' };

/**
 * Checks a template: an absolute https:// (or, with allowHttp, http://) URL without credentials or
 * fragment, with the required placeholders and no other `{…}`, placeholders only in the path or query.
 * UrlTemplateError names the broken rule.
 */
export function parseUrlTemplate(template: string, rules: UrlTemplateRules): UrlTemplate {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
  const unknown = names.filter((n) => !(URL_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new UrlTemplateError(`may contain only the placeholders {tenantId} and {databaseId}`);
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) throw new UrlTemplateError('has an unbalanced { or }');
  const missing = rules.required.filter((p) => !names.includes(p));
  if (missing.length > 0) throw new UrlTemplateError(`must contain ${missing.map((p) => `{${p}}`).join(' and ')}`);

  // Parsed with stand-ins, so the placeholders' positions can be checked on the parsed URL.
  const sample = template.replaceAll('{tenantId}', STAND_IN.tenantId).replaceAll('{databaseId}', STAND_IN.databaseId);
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    throw new UrlTemplateError('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && rules.allowHttp)) {
    if (url.protocol === 'http:') throw new UrlTemplateError('must be an https:// URL (http:// is for tests only)', 'https-only');
    throw new UrlTemplateError(rules.allowHttp ? 'must be an http:// or https:// URL' : 'must be an https:// URL');
  }
  if (url.username !== '' || url.password !== '') throw new UrlTemplateError('must not carry credentials (put them in the headers file)');
  if (url.hash !== '') throw new UrlTemplateError('must not have a fragment');
  if (Object.values(STAND_IN).some((v) => url.host.includes(v))) throw new UrlTemplateError('may have placeholders in its path and query only, not in its host');
  const origin = url.origin;
  return {
    template,
    origin,
    expand(tenantId: string, databaseId: string): URL {
      const values: Record<UrlPlaceholder, string> = { tenantId, databaseId };
      const expanded = new URL(template.replace(PLACEHOLDER, (_, name: UrlPlaceholder) => encodeURIComponent(values[name])));
      // encodeURIComponent keeps every id inside its segment, so the origin cannot move; checked anyway.
      if (expanded.origin !== origin) throw new UrlTemplateError('expanded to another origin');
      return expanded;
    },
  };
}

import { parseUrlTemplate, UrlTemplateError } from './url-template.js';

const global = { required: ['tenantId', 'databaseId'] as const, allowHttp: false };
const TEMPLATE = 'https://data.example/v1/tenants/{tenantId}/databases/{databaseId}/sentinel';

function ruleOf(template: string, rules: Parameters<typeof parseUrlTemplate>[1] = global): string {
  try {
    parseUrlTemplate(template, rules);
  } catch (error) {
    expect(error).toBeInstanceOf(UrlTemplateError);
    return (error as UrlTemplateError).rule;
  }
  throw new Error('accepted');
}

describe('parseUrlTemplate', () => {
  it('given a template with both placeholders, when expanded, then each id is URL-encoded inside its own segment', () => {
    const t = parseUrlTemplate(TEMPLATE, global);
    expect(t.origin).toBe('https://data.example');
    expect(t.expand('acme', 'db-1').href).toBe('https://data.example/v1/tenants/acme/databases/db-1/sentinel');
    const odd = t.expand('a/../b?c#d', 'd b%2F');
    expect(odd.href).toBe('https://data.example/v1/tenants/a%2F..%2Fb%3Fc%23d/databases/d%20b%252F/sentinel');
    expect(odd.origin).toBe('https://data.example');
    expect(odd.search).toBe('');
    expect(odd.hash).toBe('');
  });

  it('given placeholders in the query and a port, when expanded, then they are encoded there too', () => {
    const t = parseUrlTemplate('https://data.example:8443/probe?tenant={tenantId}&db={databaseId}', global);
    expect(t.origin).toBe('https://data.example:8443');
    expect(t.expand('a&b=c', 'x').searchParams.get('tenant')).toBe('a&b=c');
  });

  it('given a tenant-own template, then {databaseId} alone is enough', () => {
    expect(parseUrlTemplate('https://acme.data.example/db/{databaseId}', { required: ['databaseId'], allowHttp: false }).expand('acme', 'x').pathname).toBe('/db/x');
  });

  it.each([
    ['https://data.example/v1/tenants/{tenantId}/sentinel', 'must contain {databaseId}'],
    ['https://data.example/v1/sentinel', 'must contain {tenantId} and {databaseId}'],
    ['https://data.example/{tenantId}/{databaseId}/{other}', 'may contain only the placeholders {tenantId} and {databaseId}'],
    ['https://data.example/{tenantId}/{databaseId}}', 'has an unbalanced { or }'],
    ['/v1/tenants/{tenantId}/databases/{databaseId}', 'must be an absolute URL'],
    ['ftp://data.example/{tenantId}/{databaseId}', 'must be an https:// URL'],
    ['http://data.example/{tenantId}/{databaseId}', 'must be an https:// URL (http:// is for tests only)'],
    ['https://probe:s3cret@data.example/{tenantId}/{databaseId}', 'must not carry credentials (put them in the headers file)'],
    ['https://data.example/{tenantId}/{databaseId}#top', 'must not have a fragment'],
    ['https://{tenantId}.data.example/{databaseId}', 'may have placeholders in its path and query only, not in its host'],
  ])('given %s, then it is refused: %s', (template, rule) => {
    expect(ruleOf(template)).toBe(rule);
  });

  it('given http:// without allowHttp, then the error says so by its code; with allowHttp it is accepted', () => {
    const template = 'http://127.0.0.1:8080/{tenantId}/{databaseId}';
    expect(() => parseUrlTemplate(template, global)).toThrow(expect.objectContaining({ code: 'https-only' }));
    expect(parseUrlTemplate(template, { ...global, allowHttp: true }).origin).toBe('http://127.0.0.1:8080');
  });

  it('never echoes the template in a refusal', () => {
    expect(ruleOf('https://probe:s3cret@data.example/{tenantId}/{databaseId}')).not.toContain('s3cret');
  });
});

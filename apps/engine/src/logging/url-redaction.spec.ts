import { redactUrl, redactUrlsIn } from './url-redaction.js';

describe('redactUrl', () => {
  it.each([
    ['/v1/tenants?token=abc123', '/v1/tenants?token=[redacted]'],
    ['/v1/tenants?access_token=abc123&limit=5', '/v1/tenants?access_token=[redacted]&limit=5'],
    ['/x?API_KEY=k1&Client_Secret=s1&password=p1&X-Amz-Signature=sg&code=c1&sig=z', '/x?API_KEY=[redacted]&Client_Secret=[redacted]&password=[redacted]&X-Amz-Signature=[redacted]&code=[redacted]&sig=[redacted]'],
    ['/x?acc%65ss_token=abc', '/x?acc%65ss_token=[redacted]'],
    ['https://h:1/x?status=ok&auth_code=c#frag', 'https://h:1/x?status=ok&auth_code=[redacted]#frag'],
    [
      '/v1/tenants?authorization=a&bearer=b&auth=c&jwt=d&credentials=e&session=f&pass=g&pwd=h&cookie=i&limit=2',
      '/v1/tenants?authorization=[redacted]&bearer=[redacted]&auth=[redacted]&jwt=[redacted]&credentials=[redacted]&session=[redacted]&pass=[redacted]&pwd=[redacted]&cookie=[redacted]&limit=2',
    ],
    ['/v1/shreds?status=scheduled', '/v1/shreds?status=scheduled'],
    ['/v1/tenants', '/v1/tenants'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactUrlsIn', () => {
  it('redacts URLs inside free text', () => {
    expect(redactUrlsIn('GET /v1/x?token=abc&from=2026 failed')).toBe('GET /v1/x?token=[redacted]&from=2026 failed');
    expect(redactUrlsIn('tenant acme, key version kv-1')).toBe('tenant acme, key version kv-1');
  });
});

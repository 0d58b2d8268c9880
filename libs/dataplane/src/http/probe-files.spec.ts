import { parseHeadersFile, parseTenantUrlsFile } from './probe-files.js';
import { SettingsFileError } from './settings-file.js';

const SECRET = 'Bearer 7Hq2-secret-value';

function ruleOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsFileError);
    expect((error as Error).message).not.toContain('7Hq2');
    return (error as SettingsFileError).rule;
  }
  throw new Error('accepted');
}

describe('parseHeadersFile', () => {
  it('given `Name: value` lines with comments and blank lines, then each header is kept, values trimmed', () => {
    expect(parseHeadersFile(`# probe credentials\n\nAuthorization: ${SECRET}  \r\nX-Probe-Client:lethe\n`)).toEqual({
      Authorization: SECRET,
      'X-Probe-Client': 'lethe',
    });
  });

  it('given a JSON object, then it is read as name → value', () => {
    expect(parseHeadersFile(`\uFEFF{"Authorization": "${SECRET}", "X-Api-Key": "k:v"}`)).toEqual({ Authorization: SECRET, 'X-Api-Key': 'k:v' });
  });

  it('given an empty file, then there are no headers', () => {
    expect(parseHeadersFile('\n# nothing\n')).toEqual({});
  });

  it.each([
    [`Authorization ${SECRET}`, 'line 1 must be `Name: value`'],
    [`: ${SECRET}`, 'line 1 must be `Name: value`'],
    [`Bad Name: ${SECRET}`, "line 1: the header name must be an HTTP token (letters, digits, ! # $ % & ' * + - . ^ _ ` | ~)"],
    [`Host: evil.example`, 'line 1: the header Host is set by the HTTP client, not by the file'],
    [`Authorization: ${SECRET}\nauthorization: ${SECRET}`, 'line 2: the header authorization is given twice'],
    [`Authorization: ${SECRET}\u0007`, 'line 1: the value of Authorization must be visible ASCII characters, spaces or tabs'],
    [`Authorization: ${SECRET}é`, 'line 1: the value of Authorization must be visible ASCII characters, spaces or tabs'],
    ['Authorization:   ', 'line 1: the value of Authorization is empty'],
    [`{"Authorization": "${SECRET}"`, 'is not valid JSON (an object of header name to value, or `Name: value` lines)'],
    [`{"Authorization": 7}`, 'entry 1: the value of Authorization must be a string'],
    [`{"A": "x", "B\\n": "${SECRET}"}`, "entry 2: the header name must be an HTTP token (letters, digits, ! # $ % & ' * + - . ^ _ ` | ~)"],
    [`{"Authorization": "${SECRET}\\r\\nX-Injected: 1"}`, 'entry 1: the value of Authorization must be visible ASCII characters, spaces or tabs'],
  ])('given %j, then it is refused naming the entry and the rule, never the value', (content, rule) => {
    expect(ruleOf(() => parseHeadersFile(content))).toBe(rule);
  });
});

describe('parseTenantUrlsFile', () => {
  it('given tenants with their own templates, then each is checked and kept by tenant id', () => {
    const urls = parseTenantUrlsFile(JSON.stringify({ acme: 'https://acme.example/db/{databaseId}', 'b/2': 'https://b.example/{tenantId}/{databaseId}' }), false);
    expect([...urls.keys()]).toEqual(['acme', 'b/2']);
    expect(urls.get('b/2')!.expand('b/2', 'x').pathname).toBe('/b%2F2/x');
  });

  it.each([
    ['[]', 'must be a JSON object of tenant id to URL template'],
    ['{', 'is not valid JSON (an object of tenant id to URL template)'],
    ['{"": "https://x.example/{databaseId}"}', 'a tenant id is empty'],
    ['{"acme": 7}', 'the entry of tenant "acme" must be a string (a URL template)'],
    ['{"acme": "https://acme.example/db"}', 'the entry of tenant "acme" must contain {databaseId}'],
    ['{"acme": "http://acme.example/{databaseId}"}', 'the entry of tenant "acme" must be an https:// URL (http:// is for tests only)'],
  ])('given %s, then it is refused: %s', (content, rule) => {
    expect(ruleOf(() => parseTenantUrlsFile(content, false))).toBe(rule);
  });

  it('given http:// with allowHttp, then it is accepted', () => {
    expect(parseTenantUrlsFile('{"acme": "http://127.0.0.1:1/{databaseId}"}', true).get('acme')!.origin).toBe('http://127.0.0.1:1');
  });
});

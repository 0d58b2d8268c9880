import { ENGINE_ENV_VARS, loadConfig } from './engine-config.js';
import { problemsOf } from './config-problems.fixture.js';

const HTTP = {
  LETHE_PROBE: 'http',
  LETHE_PROBE_URL_TEMPLATE: 'https://data.example/v1/tenants/{tenantId}/databases/{databaseId}/sentinel',
  LETHE_PROBE_EXPECT_STATUS: '410',
  LETHE_PROBE_EXPECT_PROBLEM_TYPE: 'https://data.example/problems/key-destroyed',
};

describe('read probe configuration (LETHE_PROBE)', () => {
  it('given nothing, then the probe is local', () => {
    expect(loadConfig({}).probe).toEqual({ kind: 'local' });
    expect(loadConfig({ LETHE_PROBE: 'local' }).probe).toEqual({ kind: 'local' });
  });

  it('lists every probe setting among the environment variables the engine reads', () => {
    expect(ENGINE_ENV_VARS).toEqual(
      expect.arrayContaining([
        'LETHE_PROBE',
        'LETHE_PROBE_URL_TEMPLATE',
        'LETHE_PROBE_TENANT_URLS_FILE',
        'LETHE_PROBE_HEADERS_FILE',
        'LETHE_PROBE_TIMEOUT_MS',
        'LETHE_PROBE_EXPECT_STATUS',
        'LETHE_PROBE_EXPECT_PROBLEM_TYPE',
        'LETHE_PROBE_EXPECT_BODY_PATTERN',
        'LETHE_PROBE_CA_FILE',
        'LETHE_PROBE_ALLOW_HTTP',
      ]),
    );
  });

  it('given the http probe with every setting, then each is read', () => {
    const c = loadConfig({
      ...HTTP,
      LETHE_PROBE_TENANT_URLS_FILE: '/etc/lethe/probe-urls.json',
      LETHE_PROBE_HEADERS_FILE: '/etc/lethe/probe-headers',
      LETHE_PROBE_TIMEOUT_MS: '2500',
      LETHE_PROBE_EXPECT_STATUS: '410, 423,410',
      LETHE_PROBE_EXPECT_BODY_PATTERN: 'key[- ]destroyed',
      LETHE_PROBE_CA_FILE: '/etc/lethe/data-ca.pem',
    });
    expect(c.probe).toEqual({
      kind: 'http',
      settings: {
        urlTemplate: HTTP.LETHE_PROBE_URL_TEMPLATE,
        tenantUrlsFile: '/etc/lethe/probe-urls.json',
        headersFile: '/etc/lethe/probe-headers',
        caFile: '/etc/lethe/data-ca.pem',
        timeoutMs: 2500,
        signature: { statuses: [410, 423], problemType: HTTP.LETHE_PROBE_EXPECT_PROBLEM_TYPE, bodyPattern: /key[- ]destroyed/ },
        allowHttp: false,
      },
    });
  });

  it('given the http probe with the minimum, then the timeout is 5 s and http:// is refused', () => {
    expect(loadConfig(HTTP).probe).toMatchObject({ kind: 'http', settings: { timeoutMs: 5000, allowHttp: false } });
    expect(loadConfig({ ...HTTP, LETHE_PROBE_URL_TEMPLATE: undefined as never, LETHE_PROBE_TENANT_URLS_FILE: '/f.json' }).probe).toMatchObject({
      kind: 'http',
      settings: { tenantUrlsFile: '/f.json' },
    });
  });

  it.each([
    [{ LETHE_PROBE: 'remote' }, "LETHE_PROBE: must be 'local' or 'http'"],
    [{ LETHE_PROBE_URL_TEMPLATE: HTTP.LETHE_PROBE_URL_TEMPLATE }, 'LETHE_PROBE_URL_TEMPLATE: only applies with LETHE_PROBE=http'],
    [{ LETHE_PROBE: 'local', LETHE_PROBE_TIMEOUT_MS: '1000' }, 'LETHE_PROBE_TIMEOUT_MS: only applies with LETHE_PROBE=http'],
    [{ ...HTTP, LETHE_PROBE_URL_TEMPLATE: '' }, 'LETHE_PROBE_URL_TEMPLATE: is required with LETHE_PROBE=http unless LETHE_PROBE_TENANT_URLS_FILE is set (where the probe reads)'],
    [{ ...HTTP, LETHE_PROBE_URL_TEMPLATE: 'https://data.example/{tenantId}' }, 'LETHE_PROBE_URL_TEMPLATE: must contain {databaseId}'],
    [{ ...HTTP, LETHE_PROBE_URL_TEMPLATE: 'data.example/{tenantId}/{databaseId}' }, 'LETHE_PROBE_URL_TEMPLATE: must be an absolute URL'],
    [
      { ...HTTP, LETHE_PROBE_URL_TEMPLATE: 'http://data.example/{tenantId}/{databaseId}' },
      'LETHE_PROBE_URL_TEMPLATE: must be an https:// URL (http:// is for tests only) (LETHE_PROBE_ALLOW_HTTP=true allows http:// for tests)',
    ],
    [{ ...HTTP, LETHE_PROBE_EXPECT_STATUS: '' }, 'LETHE_PROBE_EXPECT_STATUS: is required with LETHE_PROBE=http (the statuses of the expected failure, e.g. 410)'],
    [{ ...HTTP, LETHE_PROBE_EXPECT_STATUS: '200' }, 'LETHE_PROBE_EXPECT_STATUS: must be a comma-separated list of HTTP statuses from 400 to 599 (the expected failure, e.g. 410)'],
    [{ ...HTTP, LETHE_PROBE_EXPECT_STATUS: '410,gone' }, 'LETHE_PROBE_EXPECT_STATUS: must be a comma-separated list of HTTP statuses from 400 to 599 (the expected failure, e.g. 410)'],
    [
      { ...HTTP, LETHE_PROBE_EXPECT_PROBLEM_TYPE: '' },
      'LETHE_PROBE_EXPECT_PROBLEM_TYPE: is required with LETHE_PROBE=http unless LETHE_PROBE_EXPECT_BODY_PATTERN is set: a status alone does not prove a key destroyed',
    ],
    [
      { ...HTTP, LETHE_PROBE_EXPECT_PROBLEM_TYPE: 'about:blank' },
      'LETHE_PROBE_EXPECT_PROBLEM_TYPE: must be the `type` URI of the expected problem+json answer, without spaces, and not about:blank (which says nothing)',
    ],
    [{ ...HTTP, LETHE_PROBE_EXPECT_BODY_PATTERN: 'key (destroyed' }, 'LETHE_PROBE_EXPECT_BODY_PATTERN: must be a regular expression (JavaScript syntax, without slashes or flags)'],
    [{ ...HTTP, LETHE_PROBE_TIMEOUT_MS: '50' }, 'LETHE_PROBE_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 120000'],
    [{ ...HTTP, LETHE_PROBE_TIMEOUT_MS: '5s' }, 'LETHE_PROBE_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 120000'],
    [{ ...HTTP, LETHE_PROBE_ALLOW_HTTP: 'yes' }, "LETHE_PROBE_ALLOW_HTTP: must be 'true' or 'false'"],
  ])('given %j, then boot is refused naming the setting and the rule', (env, problem) => {
    expect(problemsOf(env as Record<string, string>)).toContain(problem);
  });

  it('given the http probe with nothing else, then every missing setting is named at once', () => {
    expect(problemsOf({ LETHE_PROBE: 'http' })).toEqual([
      expect.stringMatching(/^LETHE_PROBE_URL_TEMPLATE: is required/),
      expect.stringMatching(/^LETHE_PROBE_EXPECT_STATUS: is required/),
      expect.stringMatching(/^LETHE_PROBE_EXPECT_PROBLEM_TYPE: is required/),
    ]);
  });

  it('given http:// with LETHE_PROBE_ALLOW_HTTP=true, then it is accepted', () => {
    const c = loadConfig({ ...HTTP, LETHE_PROBE_URL_TEMPLATE: 'http://127.0.0.1:8080/{tenantId}/{databaseId}', LETHE_PROBE_ALLOW_HTTP: 'true' });
    expect(c.probe).toMatchObject({ kind: 'http', settings: { allowHttp: true } });
  });

  it('never echoes a refused URL template', () => {
    const problems = problemsOf({ ...HTTP, LETHE_PROBE_URL_TEMPLATE: 'https://probe:hunter2@data.example/{tenantId}/{databaseId}' });
    expect(problems).toEqual(['LETHE_PROBE_URL_TEMPLATE: must not carry credentials (put them in the headers file)']);
    expect(problems.join()).not.toContain('hunter2');
  });
});

// LETHE_OUTBOUND_* and LETHE_WEBHOOKS, read through loadConfig: problems name the setting, the entry
// and the rule, never a URL or a secret.
import { ENGINE_ENV_VARS, loadConfig } from './engine-config.js';
import { problemsOf } from './config-problems.fixture.js';

const SECRET = 'whsec-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const hook = (over: Record<string, unknown> = {}) => ({ name: 'ticketing', url: 'https://hooks.example.test/lethe?token=abc', secret: SECRET, ...over });

describe('outbound configuration', () => {
  it('has no sinks by default, the lethe.events exchange, hours of retries and 30 days of replayable outbox', () => {
    expect(loadConfig({}).outbound).toEqual({ amqp: undefined, webhooks: [], retry: { baseMs: 10_000, maxMs: 3_600_000, maxAttempts: 20 }, retentionDays: 30 });
  });

  it('reads LETHE_OUTBOUND_RETENTION_DAYS, whole days from 1 to 3650', () => {
    expect(loadConfig({ LETHE_OUTBOUND_RETENTION_DAYS: '7' }).outbound.retentionDays).toBe(7);
    expect(problemsOf({ LETHE_OUTBOUND_RETENTION_DAYS: '0' })).toEqual(['LETHE_OUTBOUND_RETENTION_DAYS: must be a whole number of days from 1 to 3650']);
  });

  it('refuses an exchange named without a RabbitMQ URL, as the intake does', () => {
    expect(problemsOf({ LETHE_OUTBOUND_AMQP_EXCHANGE: 'x' })).toEqual(['LETHE_OUTBOUND_AMQP_EXCHANGE: only applies with LETHE_OUTBOUND_AMQP_URL']);
  });

  it('reads the RabbitMQ sink and the webhooks with the types they want', () => {
    const c = loadConfig({
      LETHE_OUTBOUND_AMQP_URL: 'amqp://lethe:pw@rabbit:5672/prod',
      LETHE_WEBHOOKS: JSON.stringify([hook({ types: ['shred.verified', 'shred.verified'] }), hook({ name: 'pager' })]),
    }).outbound;
    expect(c.amqp).toEqual({ url: 'amqp://lethe:pw@rabbit:5672/prod', exchange: 'lethe.events' });
    expect(c.webhooks.map((w) => [w.name, w.types])).toEqual([
      ['ticketing', ['shred.verified']],
      ['pager', 'all'],
    ]);
  });

  it.each([
    [{ LETHE_OUTBOUND_AMQP_URL: 'http://rabbit:5672' }, 'LETHE_OUTBOUND_AMQP_URL: must be an amqp:// or amqps:// URL'],
    [{ LETHE_OUTBOUND_AMQP_EXCHANGE: 'has space' }, 'LETHE_OUTBOUND_AMQP_EXCHANGE: must be 1-127 letters'],
    [{ LETHE_WEBHOOKS: '{"name":' }, "LETHE_WEBHOOKS: must be a JSON list"],
    [{ LETHE_WEBHOOKS: '[1]' }, 'LETHE_WEBHOOKS: entry 1 (entry) must be an object'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ secret: 'short' })]) }, 'LETHE_WEBHOOKS: entry 1 (secret) must be 32-256 printable ASCII characters, no spaces'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ name: 'Ticketing' })]) }, 'LETHE_WEBHOOKS: entry 1 (name) must be 1-40 lowercase letters, digits or hyphens'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ extra: 1 })]) }, 'LETHE_WEBHOOKS: entry 1 (extra) is not an allowed field'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ types: ['shred.exploded', 'shred.imploded'] })]) }, 'LETHE_WEBHOOKS: entry 1 (types) must be a non-empty list of integration event types (tenant.onboarded,'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ types: [] })]) }, 'LETHE_WEBHOOKS: entry 1 (types) must be a non-empty list'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook(), hook()]) }, 'LETHE_WEBHOOKS: entry 2 (name) must be unique'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ url: 'http://hooks.example.test/x' })]) }, 'LETHE_WEBHOOKS: entry 1 (url) must be an https:// URL (LETHE_WEBHOOKS_ALLOW_HTTP=true allows http:// for tests)'],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ url: 'https://user:pass@hooks.example.test/x' })]) }, "LETHE_WEBHOOKS: entry 1 (url) must not carry credentials (user:password@ before the host: a URL ends up in logs); the receiver authenticates Lethe by the entry's secret"],
    [{ LETHE_WEBHOOKS: JSON.stringify([hook({ url: 'https://user@hooks.example.test/x' })]) }, 'LETHE_WEBHOOKS: entry 1 (url) must not carry credentials'],
    [{ LETHE_OUTBOUND_MAX_ATTEMPTS: '0' }, 'LETHE_OUTBOUND_MAX_ATTEMPTS: must be a whole number of attempts from 1 to 1000'],
    [{ LETHE_OUTBOUND_RETRY_BASE_MS: '5000', LETHE_OUTBOUND_RETRY_MAX_MS: '1000' }, 'LETHE_OUTBOUND_RETRY_MAX_MS: must be at least LETHE_OUTBOUND_RETRY_BASE_MS'],
  ])('refuses %j naming the setting and the rule', (env, problem) => {
    const problems = problemsOf(env);
    expect(problems).toEqual([expect.stringContaining(problem)]);
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems.join('\n')).not.toContain('token=abc');
    expect(problems.join('\n')).not.toContain('user:pass@');
  });

  it('accepts http:// webhooks only with LETHE_WEBHOOKS_ALLOW_HTTP=true', () => {
    const c = loadConfig({ LETHE_WEBHOOKS: JSON.stringify([hook({ url: 'http://127.0.0.1:8080/hooks' })]), LETHE_WEBHOOKS_ALLOW_HTTP: 'true' });
    expect(c.outbound.webhooks[0].url).toBe('http://127.0.0.1:8080/hooks');
  });

  it('lists every outbound setting among the engine variables', () => {
    for (const name of ['LETHE_OUTBOUND_AMQP_URL', 'LETHE_OUTBOUND_AMQP_EXCHANGE', 'LETHE_WEBHOOKS', 'LETHE_WEBHOOKS_ALLOW_HTTP', 'LETHE_OUTBOUND_RETRY_BASE_MS', 'LETHE_OUTBOUND_RETRY_MAX_MS', 'LETHE_OUTBOUND_MAX_ATTEMPTS']) {
      expect(ENGINE_ENV_VARS).toContain(name);
    }
  });
});

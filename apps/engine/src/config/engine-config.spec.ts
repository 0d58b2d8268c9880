import { ConfigError, loadConfig } from './engine-config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

describe('engine configuration', () => {
  it('has defaults for everything: embedded PostgreSQL, port 3000, ./.lethe, system clock, all roles', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./.lethe');
    expect(c.clock).toEqual({ kind: 'system' });
    expect([...c.roles].sort()).toEqual(['api', 'poller', 'processors']);
    expect(c.tokens).toEqual([]);
  });

  it('reads every documented setting', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/lethe',
      PORT: '8080',
      LETHE_DATA_DIR: '/var/lib/lethe',
      LETHE_CLOCK: 'manual',
      LETHE_CLOCK_START: '2026-01-05T09:00:00Z',
      LETHE_ROLES: 'api, poller',
      LETHE_TOKENS: 'operator:0123456789abcdef0123,admin:fedcba9876543210fedc',
      LETHE_INSTANCE_ID: 'engine-1',
    });
    expect(c.databaseUrl).toBe('postgres://u@db:5432/lethe');
    expect(c.port).toBe(8080);
    expect(c.clock).toEqual({ kind: 'manual', start: new Date('2026-01-05T09:00:00Z') });
    expect([...c.roles]).toEqual(['api', 'poller']);
    expect(c.tokens.map((t) => t.role)).toEqual(['operator', 'admin']);
    expect(c.instanceId).toBe('engine-1');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LETHE_CLOCK: 'sundial' }, 'LETHE_CLOCK'],
    [{ LETHE_CLOCK: 'manual', LETHE_CLOCK_START: 'yesterday' }, 'LETHE_CLOCK_START'],
    [{ LETHE_CLOCK_START: '2026-01-05T09:00:00Z' }, 'LETHE_CLOCK_START'],
    [{ LETHE_ROLES: 'api,janitor' }, 'LETHE_ROLES'],
    [{ LETHE_ROLES: ' , ' }, 'LETHE_ROLES'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LETHE_TOKENS: 'root:0123456789abcdef0123' }, 'LETHE_TOKENS'],
    [{ LETHE_TOKENS: 'admin:has space' }, 'LETHE_TOKENS'],
    [{ LETHE_TRUST_PROXY: 'everyone' }, 'LETHE_TRUST_PROXY'],
    [{ LETHE_TRUST_PROXY: '0' }, 'LETHE_TRUST_PROXY'],
    [{ LETHE_TRUST_PROXY: '10.0.0.0/33' }, 'LETHE_TRUST_PROXY'],
    [{ LETHE_DEADLINE_POLL_MS: '5' }, 'LETHE_DEADLINE_POLL_MS'],
  ])('refuses %p, naming %s', (env, setting) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(`${setting}:`)).toBe(true);
  });

  it('reads LETHE_TRUST_PROXY as a hop count or a list of addresses', () => {
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ LETHE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ LETHE_TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
  });

  it('never echoes a token or a database password in its complaints', () => {
    const secret = 'supersecretvalue1234567';
    const problems = problemsOf({ LETHE_TOKENS: `nobody:${secret}`, DATABASE_URL: `mysql://u:${secret}@h/db` });
    expect(problems).toHaveLength(2);
    expect(problems.join(' ')).not.toContain(secret);
  });
});

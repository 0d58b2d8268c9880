import { Writable } from 'node:stream';
import pino from 'pino';
import { ENGINE_ENV_VARS, loadConfig } from './engine-config.js';
import { warnUnknownSettings } from './unknown-settings.js';
import { problemsOf } from './config-problems.fixture.js';

describe('engine configuration', () => {
  it('lists each unknown LETHE_* variable with the closest known name, from the names the schema reads', () => {
    const c = loadConfig({
      LETHE_BACKUP_RETENTON_MAX_DAYS: '4000',
      LETHE_WEBHOOK: '[]',
      LETHE_SOMETHING_ELSE_ENTIRELY: 'x',
      LETHE_DATA_DIR: '/tmp/x',
      DATABASE_URLL: 'postgres://u@db/lethe',
      LETHE_EMPTY_TYPO: '',
    });
    expect(c.unknownSettings).toEqual([
      { name: 'LETHE_BACKUP_RETENTON_MAX_DAYS', suggestion: 'LETHE_BACKUP_RETENTION_MAX_DAYS' },
      { name: 'LETHE_SOMETHING_ELSE_ENTIRELY', suggestion: undefined },
      { name: 'LETHE_WEBHOOK', suggestion: 'LETHE_WEBHOOKS' },
    ]);
    // The typo left the setting at its default: hence the warning.
    expect(c.maxBackupRetentionDays).toBe(3653);
    expect(loadConfig({ LETHE_DATA_DIR: '/tmp/x' }).unknownSettings).toEqual([]);
    expect(ENGINE_ENV_VARS).toContain('LETHE_BACKUP_RETENTION_MAX_DAYS');
  });

  it('warns about each unknown setting by name (and suggestion), never with its value', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const c = loadConfig({ LETHE_BACKUP_RETENTON_MAX_DAYS: 'secret-7f3a9c', LETHE_NOTHING_LIKE_IT: 'secret-7f3a9c' });
    warnUnknownSettings(c.unknownSettings, logger);
    expect(lines.map((l) => JSON.parse(l)).map(({ level, setting, suggestion, msg }) => ({ level, setting, suggestion, msg }))).toEqual([
      {
        level: 40,
        setting: 'LETHE_BACKUP_RETENTON_MAX_DAYS',
        suggestion: 'LETHE_BACKUP_RETENTION_MAX_DAYS',
        msg: 'unknown setting LETHE_BACKUP_RETENTON_MAX_DAYS is ignored; did you mean LETHE_BACKUP_RETENTION_MAX_DAYS?',
      },
      { level: 40, setting: 'LETHE_NOTHING_LIKE_IT', suggestion: undefined, msg: 'unknown setting LETHE_NOTHING_LIKE_IT is ignored (not a setting of this engine; see README, "Configuration")' },
    ]);
    expect(lines.join('')).not.toContain('secret-7f3a9c');
  });

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

  it('reads role:subject:token entries, and role:token ones as the subject named after the role', () => {
    const c = loadConfig({ LETHE_TOKENS: 'operator:ci-deployer:0123456789abcdef0123, admin:fedcba98:76543210, approver:alice@example.org:a:b, admin:-x:y' });
    expect(c.tokens).toEqual([
      { role: 'operator', subject: 'ci-deployer', token: '0123456789abcdef0123' },
      { role: 'admin', subject: 'fedcba98', token: '76543210' },
      { role: 'approver', subject: 'alice@example.org', token: 'a:b' },
      // `-x` is no subject: the old form, whose token holds a ':'.
      { role: 'admin', subject: 'admin', token: '-x:y' },
    ]);
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
    [{ LETHE_PROCESSOR_SKIP_FLUSH_MS: '0' }, 'LETHE_PROCESSOR_SKIP_FLUSH_MS'],
    [{ LETHE_DEADLINE_CONCURRENCY: '0' }, 'LETHE_DEADLINE_CONCURRENCY'],
    [{ LETHE_DEADLINE_CONCURRENCY: '33' }, 'LETHE_DEADLINE_CONCURRENCY'],
    [{ LETHE_PROCESSOR_SKIP_FLUSH_MS: '1.5' }, 'LETHE_PROCESSOR_SKIP_FLUSH_MS'],
  ])('refuses %p, naming %s', (env, setting) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(`${setting}:`)).toBe(true);
  });

  describe('LETHE_VAULT', () => {
    const PKCS11 = { LETHE_VAULT: 'pkcs11', LETHE_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so', LETHE_PKCS11_TOKEN_LABEL: 'lethe' };

    it('is local by default, and then ignores the LETHE_PKCS11_* settings', () => {
      const local = { kind: 'local', unusableAfterDays: 0, purgeAfterDays: 0 };
      expect(loadConfig({}).vault).toEqual(local);
      expect(loadConfig({ LETHE_PKCS11_MODULE: 'relative.so', LETHE_PKCS11_PIN: '1234' }).vault).toEqual(local);
    });

    it('reads the pkcs11 settings, the PIN from LETHE_PKCS11_PIN or LETHE_PKCS11_PIN_FILE', () => {
      expect(loadConfig({ ...PKCS11, LETHE_PKCS11_PIN_FILE: '/run/secrets/pin' }).vault).toEqual({
        kind: 'pkcs11',
        modulePath: '/usr/lib/softhsm/libsofthsm2.so',
        tokenLabel: 'lethe',
        pin: { kind: 'file', path: '/run/secrets/pin' },
      });
      expect(loadConfig({ ...PKCS11, LETHE_PKCS11_PIN: '98765' }).vault).toMatchObject({ pin: { kind: 'env', pin: '98765' } });
    });

    it.each([
      [{ LETHE_VAULT: 'azure' }, 'LETHE_VAULT'],
      [{ ...PKCS11, LETHE_PKCS11_PIN: '98765', LETHE_PKCS11_MODULE: '' }, 'LETHE_PKCS11_MODULE'],
      [{ ...PKCS11, LETHE_PKCS11_PIN: '98765', LETHE_PKCS11_MODULE: 'libsofthsm2.so' }, 'LETHE_PKCS11_MODULE'],
      [{ ...PKCS11, LETHE_PKCS11_PIN: '98765', LETHE_PKCS11_TOKEN_LABEL: '' }, 'LETHE_PKCS11_TOKEN_LABEL'],
      [{ ...PKCS11, LETHE_PKCS11_PIN: '98765', LETHE_PKCS11_TOKEN_LABEL: 'x'.repeat(33) }, 'LETHE_PKCS11_TOKEN_LABEL'],
      [{ ...PKCS11 }, 'LETHE_PKCS11_PIN_FILE'],
      [{ ...PKCS11, LETHE_PKCS11_PIN: '98765', LETHE_PKCS11_PIN_FILE: '/run/secrets/pin' }, 'LETHE_PKCS11_PIN'],
    ])('refuses %p, naming %s, never showing a PIN', (env, setting) => {
      const problems = problemsOf(env as Record<string, string>);
      expect(problems).toHaveLength(1);
      expect(problems[0].startsWith(`${setting}:`)).toBe(true);
      expect(problems.join('\n')).not.toContain('98765');
    });
  });

  it('reads LETHE_PROCESSOR_SKIP_FLUSH_MS in milliseconds, 100 when unset', () => {
    expect(loadConfig({}).processorSkipFlushMs).toBe(100);
    expect(loadConfig({ LETHE_PROCESSOR_SKIP_FLUSH_MS: '2' }).processorSkipFlushMs).toBe(2);
  });

  it('reads LETHE_DEADLINE_CONCURRENCY, 1 when unset', () => {
    expect(loadConfig({}).deadlineConcurrency).toBe(1);
    expect(loadConfig({ LETHE_DEADLINE_CONCURRENCY: '4' }).deadlineConcurrency).toBe(4);
  });

  it('reads LETHE_BACKUP_RETENTION_MAX_DAYS in whole days, 3653 (10 years) when unset', () => {
    expect(loadConfig({}).maxBackupRetentionDays).toBe(3653);
    expect(loadConfig({ LETHE_BACKUP_RETENTION_MAX_DAYS: '30' }).maxBackupRetentionDays).toBe(30);
    expect(loadConfig({ LETHE_BACKUP_RETENTION_MAX_DAYS: '1' }).maxBackupRetentionDays).toBe(1);
    expect(loadConfig({ LETHE_BACKUP_RETENTION_MAX_DAYS: '36525' }).maxBackupRetentionDays).toBe(36525);
  });

  it.each(['0', '36526', '30.5', '-1', 'ten years'])('refuses LETHE_BACKUP_RETENTION_MAX_DAYS=%p, naming the setting and the rule', (value) => {
    const problems = problemsOf({ LETHE_BACKUP_RETENTION_MAX_DAYS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith('LETHE_BACKUP_RETENTION_MAX_DAYS:')).toBe(true);
    expect(problems[0]).toContain('must be a whole number of days from 1 to 36525');
    expect(problems[0]).toContain('break-glass');
  });

  it('reads LETHE_RETIRED_KEY_GRACE_DAYS in whole days, 7 when unset, 0 allowed (destroyed at retirement)', () => {
    expect(loadConfig({}).retiredKeyGraceDays).toBe(7);
    expect(loadConfig({ LETHE_RETIRED_KEY_GRACE_DAYS: '0' }).retiredKeyGraceDays).toBe(0);
    expect(loadConfig({ LETHE_RETIRED_KEY_GRACE_DAYS: ' 90 ' }).retiredKeyGraceDays).toBe(90);
  });

  it.each(['91', '1.5', '-1', 'a week'])('refuses LETHE_RETIRED_KEY_GRACE_DAYS=%p, naming the setting and the rule', (value) => {
    const problems = problemsOf({ LETHE_RETIRED_KEY_GRACE_DAYS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith('LETHE_RETIRED_KEY_GRACE_DAYS:')).toBe(true);
    expect(problems[0]).toContain('must be a whole number of days from 0 to 90');
  });

  it('reads LETHE_TRUST_PROXY as a hop count or a list of addresses', () => {
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ LETHE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ LETHE_TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
  });

  describe('test-only switches for simulations', () => {
    const manual = { LETHE_CLOCK: 'manual' };

    it('reads LETHE_SABOTAGE with a manual clock', () => {
      expect(loadConfig(manual).sabotage).toBeUndefined();
      for (const kind of ['early-retirement', 'holiday-as-working-day', 'skip-probe']) {
        expect(loadConfig({ ...manual, LETHE_SABOTAGE: kind }).sabotage).toBe(kind);
      }
    });

    it('reads LETHE_SIMULATED_VAULT_OUTAGES with a manual clock', () => {
      expect(loadConfig(manual).simulatedVaultOutages).toEqual([]);
      const outages = [
        { from: '2027-01-01T00:00:00Z', until: '2027-01-01T03:00:00Z', mode: 'fail' },
        { from: '2027-02-01T00:00:00.000+01:00', until: '2027-02-01T01:00:00.000+01:00', mode: 'timeout' },
      ];
      expect(loadConfig({ ...manual, LETHE_SIMULATED_VAULT_OUTAGES: JSON.stringify(outages) }).simulatedVaultOutages).toEqual([
        { from: new Date('2027-01-01T00:00:00Z'), until: new Date('2027-01-01T03:00:00Z'), mode: 'fail' },
        { from: new Date('2027-01-31T23:00:00Z'), until: new Date('2027-02-01T00:00:00Z'), mode: 'timeout' },
      ]);
    });

    it.each([
      [{ LETHE_SABOTAGE: 'skip-probe' }, 'LETHE_SABOTAGE', 'unless LETHE_CLOCK=manual'],
      [{ LETHE_SIMULATED_VAULT_OUTAGES: '[]' }, 'LETHE_SIMULATED_VAULT_OUTAGES', 'unless LETHE_CLOCK=manual'],
      [{ ...manual, LETHE_SABOTAGE: 'retire-late' }, 'LETHE_SABOTAGE', 'early-retirement, holiday-as-working-day, skip-probe'],
      [{ ...manual, LETHE_SIMULATED_VAULT_OUTAGES: 'soon' }, 'LETHE_SIMULATED_VAULT_OUTAGES', 'not JSON'],
      [{ ...manual, LETHE_SIMULATED_VAULT_OUTAGES: '{"from":"2027-01-01T00:00:00Z"}' }, 'LETHE_SIMULATED_VAULT_OUTAGES', 'not a list'],
      [
        { ...manual, LETHE_SIMULATED_VAULT_OUTAGES: '[{"from":"2027-01-01T00:00:00Z","until":"2027-01-02T00:00:00Z","mode":"flaky"}]' },
        'LETHE_SIMULATED_VAULT_OUTAGES',
        'entry 1 (mode)',
      ],
      [
        { ...manual, LETHE_SIMULATED_VAULT_OUTAGES: '[{"from":"2027-01-02T00:00:00Z","until":"2027-01-01T00:00:00Z","mode":"fail"}]' },
        'LETHE_SIMULATED_VAULT_OUTAGES',
        'entry 1 (until) must be after from',
      ],
      [{ ...manual, LETHE_SIMULATED_VAULT_OUTAGES: '[{"from":"soon","until":"2027-01-01T00:00:00Z","mode":"fail"}]' }, 'LETHE_SIMULATED_VAULT_OUTAGES', 'entry 1 (from)'],
    ])('refuses %p, naming %s and the rule', (env, setting, rule) => {
      const problems = problemsOf(env as Record<string, string>);
      expect(problems).toHaveLength(1);
      expect(problems[0].startsWith(`${setting}:`)).toBe(true);
      expect(problems[0]).toContain(rule);
    });
  });

  it('never echoes a token or a database password in its complaints', () => {
    const secret = 'supersecretvalue1234567';
    const problems = problemsOf({ LETHE_TOKENS: `nobody:${secret}`, DATABASE_URL: `mysql://u:${secret}@h/db` });
    expect(problems).toHaveLength(2);
    expect(problems.join(' ')).not.toContain(secret);
  });

  describe('LETHE_VAULT=azure-keyvault, and the local vault\'s test-only windows', () => {
    const azure = { LETHE_VAULT: 'azure-keyvault', LETHE_AZURE_KEYVAULT_URL: 'https://my-vault.vault.azure.net', LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: 'true' };

    it('reads the Azure Key Vault settings, with a 90-day retention, the lethe- prefix and RSA keys by default', () => {
      expect(loadConfig(azure).vault).toEqual({
        kind: 'azure-keyvault',
        url: 'https://my-vault.vault.azure.net',
        softDeleteRetentionDays: 90,
        purgeProtection: true,
        keyPrefix: 'lethe-',
        keyType: 'RSA',
      });
      expect(
        loadConfig({
          ...azure,
          LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: 'false',
          LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS: '7',
          LETHE_AZURE_KEYVAULT_KEY_PREFIX: 'prod-eu-',
          LETHE_AZURE_KEYVAULT_KEY_TYPE: 'RSA-HSM',
        }).vault,
      ).toMatchObject({ purgeProtection: false, softDeleteRetentionDays: 7, keyPrefix: 'prod-eu-', keyType: 'RSA-HSM' });
    });

    it.each([
      [{ LETHE_VAULT: 'hsm' }, "LETHE_VAULT: must be 'local', 'pkcs11' or 'azure-keyvault'"],
      [{ LETHE_VAULT: 'pkcs11', LETHE_AZURE_KEYVAULT_KEY_TYPE: 'RSA' }, 'LETHE_AZURE_KEYVAULT_KEY_TYPE: only applies with LETHE_VAULT=azure-keyvault'],
      [{ LETHE_VAULT: 'azure-keyvault', LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: 'true' }, 'LETHE_AZURE_KEYVAULT_URL: is required with LETHE_VAULT=azure-keyvault'],
      [{ ...azure, LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: undefined }, 'LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: is required with LETHE_VAULT=azure-keyvault'],
      [{ ...azure, LETHE_AZURE_KEYVAULT_URL: 'http://my-vault.vault.azure.net' }, 'LETHE_AZURE_KEYVAULT_URL: must be the https:// URL of the vault'],
      [{ ...azure, LETHE_AZURE_KEYVAULT_URL: 'https://user:secret@my-vault.vault.azure.net/keys' }, 'LETHE_AZURE_KEYVAULT_URL: must be the https:// URL of the vault'],
      [{ ...azure, LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS: '6' }, 'LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS: must be a whole number of days from 7 to 90'],
      [{ ...azure, LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS: '91' }, 'LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS: must be a whole number of days from 7 to 90'],
      [{ ...azure, LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: 'yes' }, "LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: must be 'true' or 'false'"],
      [{ ...azure, LETHE_AZURE_KEYVAULT_KEY_PREFIX: 'Prod_' }, 'LETHE_AZURE_KEYVAULT_KEY_PREFIX: must be 1-40 lowercase letters'],
      [{ ...azure, LETHE_AZURE_KEYVAULT_KEY_TYPE: 'EC' }, "LETHE_AZURE_KEYVAULT_KEY_TYPE: must be 'RSA' or 'RSA-HSM'"],
      [{ LETHE_AZURE_KEYVAULT_URL: 'https://my-vault.vault.azure.net' }, 'LETHE_AZURE_KEYVAULT_URL: only applies with LETHE_VAULT=azure-keyvault'],
      [{ ...azure, LETHE_CLOCK: 'manual', LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS: '7' }, 'LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS: only applies with LETHE_VAULT=local'],
      [{ LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS: '7' }, 'LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS: test-only, refused unless LETHE_CLOCK=manual'],
      [{ LETHE_CLOCK: 'manual', LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS: '91' }, 'LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS: must be a whole number of days from 0 to 90'],
    ])('refuses %j naming the setting and the rule', (env, problem) => {
      const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
      expect(problemsOf(present).join('\n')).toContain(problem);
    });

    it('gives the local vault deletion windows with a manual clock (tests and simulations)', () => {
      const c = loadConfig({ LETHE_CLOCK: 'manual', LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS: '2', LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS: '7' });
      expect(c.vault).toEqual({ kind: 'local', unusableAfterDays: 2, purgeAfterDays: 7 });
    });

    it('never echoes the vault URL it refuses', () => {
      expect(problemsOf({ ...azure, LETHE_AZURE_KEYVAULT_URL: 'https://user:hunter2@vault.example/x' }).join('\n')).not.toContain('hunter2');
    });
  });
});

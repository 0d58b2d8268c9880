import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_ROLES, loadConfig } from './engine-config.js';
import { MIN_TOKEN_LENGTH, TokensFileError, loadApiTokens, parseTokensFile, tokenWarnings } from './api-tokens.js';

function recorder() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    logger: {
      info: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: 'info', fields, msg }),
      warn: (fields: Record<string, unknown>, msg: string) => void lines.push({ level: 'warn', fields, msg }),
    },
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-tokens-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadApiTokens', () => {
  it('without LETHE_TOKENS, generates one random token per role into a 0600 file, names the file, never a token', async () => {
    const { lines, logger } = recorder();
    const first = await loadApiTokens(loadConfig({ LETHE_DATA_DIR: dir }), logger);
    expect(first.file).toBe(join(dir, 'tokens'));
    expect(first.tokens.map((t) => t.role)).toEqual([...API_ROLES]);
    expect(new Set(first.tokens.map((t) => t.token)).size).toBe(API_ROLES.length);
    for (const t of first.tokens) expect(t.token.length).toBeGreaterThanOrEqual(MIN_TOKEN_LENGTH);
    expect((await stat(first.file!)).mode & 0o777).toBe(0o600);
    const content = await readFile(first.file!, 'utf8');
    expect(content).toBe(first.tokens.map((t) => `${t.role}:${t.role}:${t.token}\n`).join(''));
    expect(first.tokens.map((t) => t.subject)).toEqual([...API_ROLES]);
    const logged = JSON.stringify(lines);
    expect(logged).toContain(join(dir, 'tokens'));
    for (const t of first.tokens) expect(logged).not.toContain(t.token);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);

    // A later start reuses the file.
    const again = await loadApiTokens(loadConfig({ LETHE_DATA_DIR: dir }), recorder().logger);
    expect(again.tokens).toEqual(first.tokens);
  });

  it('lets LETHE_TOKENS win over the file, which it neither reads nor creates', async () => {
    const token = 'x'.repeat(40);
    const loaded = await loadApiTokens(loadConfig({ LETHE_DATA_DIR: dir, LETHE_TOKENS: `admin:${token}` }), recorder().logger);
    expect(loaded).toEqual({ tokens: [{ role: 'admin', subject: 'admin', token }], file: undefined });
    await expect(stat(join(dir, 'tokens'))).rejects.toThrow('ENOENT');
  });

  it('warns, naming roles and never tokens, about a shared, an empty and a short token; drops the empty one', async () => {
    const shared = 's'.repeat(40);
    const short = 'short-but-printable';
    const { lines, logger } = recorder();
    const loaded = await loadApiTokens(
      loadConfig({ LETHE_DATA_DIR: dir, LETHE_TOKENS: `operator:${shared},admin:${shared},ops-reader:,contract-system:${short}` }),
      logger,
    );
    expect(loaded.tokens.map((t) => t.role)).toEqual(['operator', 'admin', 'contract-system']);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((w) => w.fields)).toEqual([
      { source: 'LETHE_TOKENS', role: 'ops-reader' },
      { source: 'LETHE_TOKENS', role: 'contract-system', length: short.length, minLength: MIN_TOKEN_LENGTH },
      { source: 'LETHE_TOKENS', roles: ['operator', 'admin'] },
    ]);
    expect(JSON.stringify(lines)).not.toContain(shared);
    expect(JSON.stringify(lines)).not.toContain(short);
  });

  it('reads a hand-written file (comments, blank lines) and refuses a file others can read', async () => {
    const file = join(dir, 'tokens');
    await writeFile(file, `# ours\n\nadmin:${'a'.repeat(40)}\r\noperator:${'o'.repeat(40)}\n`, { mode: 0o600 });
    const loaded = await loadApiTokens(loadConfig({ LETHE_DATA_DIR: dir }), recorder().logger);
    expect(loaded.tokens.map((t) => t.role)).toEqual(['admin', 'operator']);
    await writeFile(file, `admin:${'a'.repeat(40)}\n`, { mode: 0o644 });
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o644);
    await expect(loadApiTokens(loadConfig({ LETHE_DATA_DIR: dir }), recorder().logger)).rejects.toMatchObject({ name: 'KeyFilePermissionError' });
  });
});

describe('parseTokensFile', () => {
  it('names the bad line, never its token', () => {
    const error = (() => {
      try {
        parseTokensFile('admin:fine-token-0123456789\nroot:s3cr3t-value\n', 'tokens');
      } catch (e) {
        return e as TokensFileError;
      }
    })();
    expect(error?.problems).toEqual(['tokens file tokens: entry 2 must start with one of contract-system, ops-reader, operator, admin, approver followed by \':\'']);
    expect(error?.message).not.toContain('s3cr3t');
  });
});

describe('tokenWarnings', () => {
  it('has nothing to say about distinct long tokens', () => {
    expect(tokenWarnings([{ role: 'admin', subject: 'admin', token: 'a'.repeat(32) }, { role: 'operator', subject: 'ci', token: 'b'.repeat(32) }])).toEqual([]);
  });
});

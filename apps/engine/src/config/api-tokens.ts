// The API's bearer tokens: LETHE_TOKENS when set, otherwise the tokens file in the data folder,
// generated on first start with one random token per role (0600, one `role:subject:token` a line, the same
// entries LETHE_TOKENS takes). Logs say where the file is and which roles a warning is about,
// never a token.
import { randomBytes } from 'node:crypto';
import { loadOrCreateKeyFile } from '@lethe/vault';
import { API_ROLES, ConfigError, parseTokenEntries, type ApiRole, type ApiToken, type EngineConfig } from './engine-config.js';

/** The rule for a token's length, in characters; a shorter token is warned about at boot. */
export const MIN_TOKEN_LENGTH = 32;
export const TOKENS_FILE = 'tokens';

/** The tokens file cannot be used (an entry that is not `role:subject:token` or `role:token`): exit code 2. */
export class TokensFileError extends ConfigError {
  constructor(problems: readonly string[]) {
    super(problems);
    this.name = 'TokensFileError';
  }
}

/** Pino-compatible (fields first, then message). */
export interface TokensLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export type TokenWarning =
  | { readonly kind: 'empty'; readonly role: ApiRole }
  | { readonly kind: 'short'; readonly role: ApiRole; readonly length: number }
  | { readonly kind: 'shared'; readonly roles: readonly ApiRole[] };

/** What is wrong with a set of tokens, naming roles only. */
export function tokenWarnings(tokens: readonly ApiToken[]): TokenWarning[] {
  const warnings: TokenWarning[] = [];
  const byToken = new Map<string, ApiRole[]>();
  for (const { role, token } of tokens) {
    if (token === '') {
      warnings.push({ kind: 'empty', role });
      continue;
    }
    if (token.length < MIN_TOKEN_LENGTH) warnings.push({ kind: 'short', role, length: token.length });
    byToken.set(token, [...(byToken.get(token) ?? []), role]);
  }
  for (const roles of byToken.values()) if (new Set(roles).size > 1) warnings.push({ kind: 'shared', roles: [...new Set(roles)] });
  return warnings;
}

/** A new tokens file's content: one random token (32 bytes, base64url: 43 characters) per role, its subject the role's name. */
export function generateTokensFile(): string {
  return API_ROLES.map((role) => `${role}:${role}:${randomBytes(32).toString('base64url')}\n`).join('');
}

/** Entries of a tokens file: one `role:subject:token` (or `role:token`) a line; blank lines and `#` comments are skipped. */
export function parseTokensFile(content: string, path: string): ApiToken[] {
  const lines = content
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const problems: string[] = [];
  const tokens = parseTokenEntries(lines, `tokens file ${path}`, problems);
  if (problems.length > 0) throw new TokensFileError(problems);
  return tokens;
}

/**
 * The tokens the API accepts: LETHE_TOKENS if set (it wins), else `$LETHE_DATA_DIR/tokens`, created
 * on first start. Warns (roles only) about empty, short and shared tokens; empty ones are dropped.
 * @throws TokensFileError, KeyFilePermissionError (file readable by others), InvalidKeyFileError
 */
export async function loadApiTokens(
  config: Pick<EngineConfig, 'tokens' | 'tokensSet' | 'dataDir'>,
  logger: TokensLogger,
): Promise<{ tokens: ApiToken[]; file: string | undefined }> {
  let tokens: readonly ApiToken[] = config.tokens;
  let source = 'LETHE_TOKENS';
  let path: string | undefined;
  if (!config.tokensSet) {
    const file = await loadOrCreateKeyFile<ApiToken[]>({
      dataDir: config.dataDir,
      file: TOKENS_FILE,
      create: () => {
        const content = generateTokensFile();
        return { content: Buffer.from(content), value: parseTokensFile(content, TOKENS_FILE) };
      },
      parse: (content, invalid) => {
        try {
          return parseTokensFile(content.toString('utf8'), TOKENS_FILE);
        } catch (error) {
          return invalid((error as Error).message);
        }
      },
    });
    tokens = file.value;
    path = file.path;
    source = `tokens file ${file.path}`;
    // (Field names with "token" in them are redacted by the logger: `file`, not `tokensFile`.)
    logger.info(
      { file: file.path, created: file.created, roles: tokens.map((t) => t.role) },
      file.created ? 'API tokens generated (LETHE_TOKENS unset)' : 'API tokens read from the tokens file (LETHE_TOKENS unset)',
    );
  }
  for (const warning of tokenWarnings(tokens)) {
    if (warning.kind === 'empty') logger.warn({ source, role: warning.role }, 'an API token is empty; it is ignored');
    else if (warning.kind === 'short') logger.warn({ source, role: warning.role, length: warning.length, minLength: MIN_TOKEN_LENGTH }, `an API token is shorter than ${MIN_TOKEN_LENGTH} characters`);
    else logger.warn({ source, roles: warning.roles }, 'one API token is given to several roles; the first role listed wins');
  }
  if (!tokens.some((t) => t.token !== '')) logger.warn({ source }, 'no API token is configured: every /v1 route that needs a role answers 401');
  return { tokens: tokens.filter((t) => t.token !== ''), file: path };
}

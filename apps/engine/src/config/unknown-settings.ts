// LETHE_* variables the engine does not read. A typo (LETHE_BACKUP_RETENTON_MAX_DAYS) would otherwise
// leave its setting at the default without a word; boot warns about each, naming the variable (never
// its value, which may be a secret) and the known name closest to it.
import { closest, distance } from 'fastest-levenshtein';
import type { Logger } from 'pino';

/** The prefix of the engine's own variables; others (DATABASE_URL, PORT, …) are the environment's business. */
const PREFIX = 'LETHE_';
/** At most this many edits away a known name is suggested: a typo, not another setting. */
const MAX_SUGGESTION_DISTANCE = 3;

export interface UnknownSetting {
  /** The variable as set, e.g. `LETHE_BACKUP_RETENTON_MAX_DAYS`. */
  readonly name: string;
  /** The known variable it most likely means, e.g. `LETHE_BACKUP_RETENTION_MAX_DAYS`; undefined when none is close. */
  readonly suggestion: string | undefined;
}

/**
 * The LETHE_* variables of `env` that are not in `known` (the names the engine reads), in name order,
 * each with the closest known name within MAX_SUGGESTION_DISTANCE edits (Levenshtein).
 */
export function unknownSettings(env: Readonly<Record<string, string | undefined>>, known: readonly string[]): UnknownSetting[] {
  const knownSet = new Set(known);
  const candidates = known.filter((name) => name.startsWith(PREFIX));
  return Object.keys(env)
    .filter((name) => name.startsWith(PREFIX) && !knownSet.has(name))
    .sort()
    .map((name) => {
      const nearest = candidates.length > 0 ? closest(name, candidates) : undefined;
      return { name, suggestion: nearest !== undefined && distance(name, nearest) <= MAX_SUGGESTION_DISTANCE ? nearest : undefined };
    });
}

/** One warning per unknown setting, e.g. `unknown setting LETHE_X is ignored; did you mean LETHE_Y?`. */
export function warnUnknownSettings(settings: readonly UnknownSetting[], logger: Pick<Logger, 'warn'>): void {
  for (const { name, suggestion } of settings) {
    const hint = suggestion ? `; did you mean ${suggestion}?` : ' (not a setting of this engine; see README, "Configuration")';
    logger.warn({ setting: name, ...(suggestion ? { suggestion } : {}) }, `unknown setting ${name} is ignored${hint}`);
  }
}

// A position in the global log as a caller writes it (the `Lethe-Position` a write answered, a
// replay's `fromPosition`): decimal digits. Positions are kept in PostgreSQL bigint (int8) columns
// (the log, and every processor's checkpoint), so the largest is 2^63-1; a larger number names no
// position and would fail in the database rather than be refused with the rule.

/** The largest log position: 2^63-1, PostgreSQL's bigint maximum. */
export const MAX_LOG_POSITION = 2n ** 63n - 1n;

const DIGITS = /^[0-9]{1,19}$/;

/** The rule a caller is told: `must be a whole number from <min> to 9223372036854775807`. */
export function logPositionRule(min: bigint): string {
  return `must be a whole number from ${min} to ${MAX_LOG_POSITION}`;
}

/** `text` (decimal digits only) as a position from `min` to MAX_LOG_POSITION; undefined when it is not one. */
export function parseLogPosition(text: string, min: bigint): bigint | undefined {
  if (!DIGITS.test(text)) return undefined;
  const position = BigInt(text);
  return position >= min && position <= MAX_LOG_POSITION ? position : undefined;
}

// What the CLI prints for a failure it did not expect: anything can be thrown or rejected (a library
// rejecting with nothing at all, a string), and the message must say so rather than fail itself.

/** A one-line description of `error`, whatever its type; never empty. */
export function failureMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name || 'an error without a message';
  if (error === undefined || error === null) return `failed without saying why (the error was ${String(error)})`;
  if (typeof error === 'string') return error || 'failed without saying why (an empty message)';
  try {
    return `failed: ${JSON.stringify(error)}`;
  } catch {
    return `failed: ${String(error)}`;
  }
}

// How the local adapters name a foreign error in a detail: its class and code, never its message.

/** The class and code of an error, safe to put in a detail (never its message). */
export function describeError(error: unknown): string {
  // Duck-typed: errors from node internals or another realm are not `instanceof Error` here.
  const { name, code } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown };
  const safe = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_.-]{1,60}$/.test(v);
  const label = safe(name) ? name : `a non-error value (${typeof error})`;
  return safe(code) ? `${label} (${code})` : label;
}

// JSON with object keys sorted at every depth and no whitespace: the bytes a certificate
// signature covers, and the fingerprint of an idempotent request's body. It walks with its own
// stack, not the call stack, so no input can overflow it; a value nested deeper than
// MAX_CANONICAL_DEPTH (a cycle, or input no route accepts) is refused with a RangeError.

/** Deeper than any certificate or request body Lethe builds or accepts, by far. */
export const MAX_CANONICAL_DEPTH = 10_000;

type Work = { readonly text: string } | { readonly value: unknown; readonly depth: number };

export interface CanonicalJsonOptions {
  /** Rewrites each string value (not object keys) before it is written, e.g. to one spelling of an instant. Default: none. */
  readonly mapString?: (value: string) => string;
}

function scalar(value: unknown, options: CanonicalJsonOptions): string | undefined {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string') return JSON.stringify(options.mapString ? options.mapString(value) : value);
  if (typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return 'null';
  return undefined;
}

/**
 * The canonical JSON text of `value`: like JSON.stringify, with object keys sorted (by UTF-16 code
 * units) and undefined or function members dropped.
 * @throws RangeError when `value` is nested deeper than MAX_CANONICAL_DEPTH (or is cyclic).
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const out: string[] = [];
  // Items are popped in writing order, so containers push their parts in reverse.
  const work: Work[] = [{ value, depth: 0 }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const text = scalar(item.value, options);
    if (text !== undefined) {
      out.push(text);
      continue;
    }
    const depth = item.depth + 1;
    if (depth > MAX_CANONICAL_DEPTH) throw new RangeError(`canonicalJson: value nested deeper than ${MAX_CANONICAL_DEPTH} levels (or cyclic)`);
    if (Array.isArray(item.value)) {
      const items = item.value;
      work.push({ text: ']' });
      for (let i = items.length - 1; i >= 0; i--) {
        work.push({ value: items[i], depth });
        if (i > 0) work.push({ text: ',' });
      }
      work.push({ text: '[' });
      continue;
    }
    const entries = Object.entries(item.value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && typeof v !== 'function')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    work.push({ text: '}' });
    for (let i = entries.length - 1; i >= 0; i--) {
      work.push({ value: entries[i][1], depth });
      work.push({ text: `${JSON.stringify(entries[i][0])}:` });
      if (i > 0) work.push({ text: ',' });
    }
    work.push({ text: '{' });
  }
  return out.join('');
}

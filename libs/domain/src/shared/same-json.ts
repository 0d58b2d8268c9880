// Equality of two JSON values regardless of object key order: how a repeated request is recognised
// as the same one (arrays keep their order; they are lists, not sets). Two strings that are ISO 8601
// instants are equal when they name the same instant, however written (canonical-instant.ts).
import { canonicalInstant } from './canonical-instant.js';

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    const instant = canonicalInstant(a);
    return instant !== undefined && instant === canonicalInstant(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

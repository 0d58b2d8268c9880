// A whole number given as a query parameter. Query values are text; zod's coerce.number (Number())
// reads `1e2`, ` 5`, `0x10` and `` as numbers too, so the text is checked for plain decimal digits first.
import { z } from 'zod';

const DIGITS = /^[0-9]{1,16}$/;

/**
 * A query field holding a whole number from `min` to `max` (inclusive), written in decimal digits
 * only; `fallback` when absent. Anything else breaks `rule` (e.g. "must be a whole number from 1 to 1000").
 */
export function wholeNumberQueryField(options: { readonly min: number; readonly max: number; readonly fallback: number; readonly rule: string }) {
  const { min, max, fallback, rule } = options;
  return z
    .string({ message: rule })
    .regex(DIGITS, { message: rule })
    .transform(Number)
    .pipe(z.number().int({ message: rule }).min(min, { message: rule }).max(max, { message: rule }))
    .optional()
    .transform((n) => n ?? fallback);
}

// Field rules shared by every way in (HTTP bodies, contract-stream events): the same field is checked
// the same way wherever it arrives, with the rule a caller is told when it breaks it.
import { z } from 'zod';

/** An id a caller chose for its own record (termination, contract, request, backup). */
export const externalIdSchema = z
  .string({ message: 'is required' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: 'must be 1-128 letters, digits or . _ : - , starting with a letter or digit' });

/** An instant: ISO 8601 with a time zone designator. */
export const instantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-24T12:00:00Z' });

// What a termination notice must look like, however it arrives: the HTTP body of
// POST /v1/tenants/{id}/terminations and the data of a ContractTerminated appended straight into
// `contract-<tenantId>` are checked by this one schema (ARCHITECTURE §4, "every way in is checked
// the same"). An invalid notice never triggers a shred.
import { z } from 'zod';
import { externalIdSchema, instantSchema, INSTANT_RANGES, textSchema } from '../validation/field-rules.js';

/** The notice, its instants checked against `now` (the clock when it is received or handled). */
export const contractTerminatedSchema = (now: Date) =>
  z.strictObject({
    terminationId: externalIdSchema,
    contractId: externalIdSchema,
    effectiveAt: instantSchema(INSTANT_RANGES.effective, now),
    reason: textSchema().optional(),
  });

/** The metadata a contract system may set on a ContractTerminated it appends itself. */
export const contractEventMetadataSchema = (now: Date) =>
  z.looseObject({
    receivedAt: instantSchema(INSTANT_RANGES.past, now).optional(),
  });

// What a termination notice must look like, however it arrives: the HTTP body of
// POST /v1/tenants/{id}/terminations and the data of a ContractTerminated appended straight into
// `contract-<tenantId>` are checked by this one schema (ARCHITECTURE §4, "every way in is checked
// the same"). An invalid notice never triggers a shred.
import { z } from 'zod';
import { externalIdSchema, instantSchema } from '../validation/field-rules.js';

export const contractTerminatedSchema = z.strictObject({
  terminationId: externalIdSchema,
  contractId: externalIdSchema,
  effectiveAt: instantSchema,
  reason: z.string({ message: 'must be a string' }).max(500, { message: 'must be at most 500 characters' }).optional(),
});

/** The metadata a contract system may set on a ContractTerminated it appends itself. */
export const contractEventMetadataSchema = z.looseObject({
  receivedAt: instantSchema.optional(),
});

// Request bodies of the staging-asset API.
import { z } from 'zod';

export const stagingAssetSchema = z.strictObject({
  assetId: z
    .string({ message: 'is required' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: 'must be 1-128 letters, digits or . _ : - , starting with a letter or digit' }),
  expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-24T12:00:00Z' }).optional(),
});

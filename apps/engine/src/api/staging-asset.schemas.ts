// Request bodies of the staging-asset API.
import { externalIdSchema, instantSchema, INSTANT_RANGES } from '@lethe/domain';
import { z } from 'zod';

/** Built from the clock's now of the request (see field-rules.ts). */
export const stagingAssetSchema = (now: Date) =>
  z.strictObject({
    assetId: externalIdSchema,
    expiresAt: instantSchema(INSTANT_RANGES.horizon, now).optional(),
  });

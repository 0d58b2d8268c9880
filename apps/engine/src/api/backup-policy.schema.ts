// The backup policy's field as callers send it (onboarding and PATCH), with the domain's bounds.
import { MAX_PITR_RETENTION_DAYS, MIN_PITR_RETENTION_DAYS, PITR_RETENTION_RULE } from '@lethe/domain';
import { z } from 'zod';

/** Point-in-time retention window in whole days; the bounds and default live in @lethe/domain. */
export const pitrRetentionDays = z
  .number({ message: PITR_RETENTION_RULE })
  .int({ message: PITR_RETENTION_RULE })
  .min(MIN_PITR_RETENTION_DAYS, { message: PITR_RETENTION_RULE })
  .max(MAX_PITR_RETENTION_DAYS, { message: PITR_RETENTION_RULE });

// The key policy's fields as callers send them (onboarding and PATCH): the rotation period (P1) and
// the backup policy's point-in-time window (P3). Bounds, defaults and rule texts live in
// @lethe/domain's promises.
import {
  MAX_PITR_RETENTION_DAYS,
  MAX_ROTATION_PERIOD_DAYS,
  MIN_PITR_RETENTION_DAYS,
  MIN_ROTATION_PERIOD_DAYS,
  PITR_RETENTION_RULE,
  ROTATION_PERIOD_RULE,
} from '@lethe/domain';
import { z } from 'zod';

/** Point-in-time retention window in whole days. */
export const pitrRetentionDays = z
  .number({ message: PITR_RETENTION_RULE })
  .int({ message: PITR_RETENTION_RULE })
  .min(MIN_PITR_RETENTION_DAYS, { message: PITR_RETENTION_RULE })
  .max(MAX_PITR_RETENTION_DAYS, { message: PITR_RETENTION_RULE });

/** A managed key's rotation period in whole days. */
export const rotationPeriodDays = z
  .number({ message: ROTATION_PERIOD_RULE })
  .int({ message: ROTATION_PERIOD_RULE })
  .min(MIN_ROTATION_PERIOD_DAYS, { message: ROTATION_PERIOD_RULE })
  .max(MAX_ROTATION_PERIOD_DAYS, { message: ROTATION_PERIOD_RULE });

// Query parameters of the key-ring listings (GET /keys, GET /backups), with the rules a caller is
// told when one is broken. Paging rules come from the read model, which owns the cursors.
import { BACKUP_STATUSES, CURSOR_RULE, isBackupsCursor, isKeyVersionsCursor, LIMIT_RULE, MAX_PAGE_LIMIT } from '@lethe/readmodel';
import { z } from 'zod';

const limit = z
  .string({ message: LIMIT_RULE })
  .regex(/^[0-9]{1,4}$/, { message: LIMIT_RULE })
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_PAGE_LIMIT, { message: LIMIT_RULE });

const cursor = (isCursor: (value: string) => boolean) => z.string({ message: CURSOR_RULE }).refine(isCursor, { message: CURSOR_RULE });

export const listKeyVersionsQuery = z.strictObject({
  limit: limit.optional(),
  cursor: cursor(isKeyVersionsCursor).optional(),
});

export const listBackupsQuery = z.strictObject({
  keyVersionId: z.string({ message: 'must be a key version id' }).min(1, { message: 'must be a key version id' }).max(200, { message: 'must be at most 200 characters' }).optional(),
  status: z.enum(BACKUP_STATUSES, { message: `must be one of ${BACKUP_STATUSES.join(', ')}` }).optional(),
  limit: limit.optional(),
  cursor: cursor(isBackupsCursor).optional(),
});


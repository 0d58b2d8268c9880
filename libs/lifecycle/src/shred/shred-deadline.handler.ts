// Fires at a shred's deadline: records a breach if the shred is not verified by then.
import type { Deadline } from '@lethe/scheduler';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import type { ShredTimerPayload } from './shred-deadlines.js';

export class ShredDeadlineHandler {
  constructor(private readonly tenants: TenantRepository) {}

  readonly handle = async (deadline: Deadline): Promise<void> => {
    const { tenantId, shredId } = deadline.payload as ShredTimerPayload;
    await this.tenants.execute(tenantId, { type: 'CheckShredDeadline', data: { shredId } }, deadline.id);
  };
}

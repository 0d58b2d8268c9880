import { Command } from '@nestjs/cqrs';
import type { KeyRingState } from '@lethe/domain';

export interface KeyRingPolicyChange {
  /** 1..730 days. */
  readonly rotationPeriodDays?: number;
  /** The point-in-time retention window, 1..35 days (see @lethe/domain backup-policy). */
  readonly pitrRetentionDays?: number;
}

/** PATCH /v1/tenants/{id}: the rotation period and/or the backup policy; at least one is given. */
export class ChangeKeyRingPolicyCommand extends Command<KeyRingState> {
  constructor(
    readonly tenantId: string,
    readonly change: KeyRingPolicyChange,
  ) {
    super();
  }
}

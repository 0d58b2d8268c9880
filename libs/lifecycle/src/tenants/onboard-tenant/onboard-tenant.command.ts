import { Command } from '@nestjs/cqrs';
import type { KeyRingState, TenantProfile, TenantState } from '@lethe/domain';

/** An onboarded tenant: what is stored, and its key ring (null only while the vault could not be reached). */
export interface Onboarded {
  readonly tenant: TenantState;
  readonly keyRing: KeyRingState | null;
}

export class OnboardTenantCommand extends Command<Onboarded> {
  constructor(readonly profile: TenantProfile) {
    super();
  }
}

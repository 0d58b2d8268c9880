// Records the tenant, then opens its key ring. Exactly one of several racing requests for a tenant id
// wins; the others get tenant-exists (409) before anything of theirs reaches the vault or the data
// plane. The same body again gets the same answer (and completes a ring left unopened).
// A vault outage after the tenant is recorded does not undo it (events are never withdrawn): the
// answer says the ring is still opening (keyRing null), and the key-ring-open timer set from
// TenantOnboarded opens it once the vault answers again, as does the first command on the ring.
import { createHash } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { isKeyVaultUnavailable } from '@lethe/vault';
import { canonicalJson } from '../../certificate/canonical-json.js';
import { CRASH_HOOK } from '../../lifecycle.tokens.js';
import type { CrashHook } from '../../crash-points.js';
import { KeyRingOpener } from '../../keys/key-ring-opener.js';
import { TenantRepository } from '../tenant-repository.js';
import { OnboardTenantCommand, type Onboarded } from './onboard-tenant.command.js';

@CommandHandler(OnboardTenantCommand)
export class OnboardTenantHandler implements ICommandHandler<OnboardTenantCommand> {
  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(KeyRingOpener) private readonly keyRingOpener: KeyRingOpener,
    @Inject(CRASH_HOOK) private readonly crash: CrashHook,
  ) {}

  async execute({ profile }: OnboardTenantCommand): Promise<Onboarded> {
    // Event ids derive from the body, so a different body can never pass for a replay of the winner's.
    const fingerprint = createHash('sha256').update(canonicalJson(profile)).digest('hex').slice(0, 32);
    // The state execute answers is what is stored: ours, or the same body's written by a racing duplicate.
    const { state: tenant } = await this.tenants.execute(profile.tenantId, { type: 'OnboardTenant', data: profile }, `onboard:${profile.tenantId}:${fingerprint}`);
    this.crash('onboard:tenant-recorded');
    try {
      return { tenant, keyRing: await this.keyRingOpener.open(profile.tenantId, tenant) };
    } catch (error) {
      if (isKeyVaultUnavailable(error)) return { tenant, keyRing: null };
      throw error;
    }
  }
}

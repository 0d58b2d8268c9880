// Registers a staging blob (sealed with the platform key, so the shred must purge it): in the data
// plane first, then in the key ring. Idempotent by assetId; DomainError 'staging-asset-exists' for
// the same id with another expiry, 'tenant-shredded' once the shred was executed, 'key-ring-destroyed'
// after it.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { decideKeyRing, findStagingAsset, type StagingAssetState } from '@lethe/domain';
import { DATA_PLANE } from '../../lifecycle.tokens.js';
import type { LifecycleDataPlane } from '../../lifecycle-ports.js';
import { TenantRepository } from '../../tenants/tenant-repository.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { shredExecutedError, tenantFactsOf } from '../tenant-facts.js';
import { RegisterStagingAssetCommand } from './register-staging-asset.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(RegisterStagingAssetCommand)
export class RegisterStagingAssetHandler implements ICommandHandler<RegisterStagingAssetCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(DATA_PLANE) private readonly dataPlane: Pick<LifecycleDataPlane, 'addStagingAsset'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
  ) {}

  async execute({ tenantId, asset }: RegisterStagingAssetCommand): Promise<StagingAssetState> {
    const loaded = await this.opener.loadOpened(tenantId);
    const command = { type: 'RegisterStagingAsset' as const, data: asset };
    if (decideKeyRing(command, loaded.state, { now: this.clock.now() }).length > 0) {
      if (tenantFactsOf((await this.tenants.load(tenantId)).state).shredExecuted) throw shredExecutedError();
      await this.dataPlane.addStagingAsset(tenantId, asset.assetId);
    }
    const { state } = await this.keyRings.execute(tenantId, command, `staging-asset:${asset.assetId}`, { loaded });
    return findStagingAsset(state, asset.assetId)!;
  }
}

import { Command } from '@nestjs/cqrs';
import type { StagingAssetState } from '@lethe/domain';

export interface StagingAssetInput {
  readonly assetId: string;
  /** ISO 8601 instant, or null when the platform gave no expiry. */
  readonly expiresAt: string | null;
}

export class RegisterStagingAssetCommand extends Command<StagingAssetState> {
  constructor(
    readonly tenantId: string,
    readonly asset: StagingAssetInput,
  ) {
    super();
  }
}

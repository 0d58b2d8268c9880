import { Command } from '@nestjs/cqrs';
import type { KeyVersionStatus } from '@lethe/domain';

export interface EnabledKeyVersion {
  readonly tenantId: string;
  readonly keyVersionId: string;
  /** `superseded` once enabled again (versionStatus). */
  readonly status: KeyVersionStatus;
  /** ISO 8601 instant (the grant's window end) after which the version is retired again. */
  readonly enabledUntil: string;
}

/**
 * Break-glass `key-version.enable`: the retired version `keyVersionId` usable again in the vault
 * until the window of grant `grantId` ends (its `expiresAt`), then retired again. The caller has
 * already recorded the grant's use (PrivilegedAccess.require).
 */
export class EnableKeyVersionCommand extends Command<EnabledKeyVersion> {
  constructor(
    readonly tenantId: string,
    readonly keyVersionId: string,
    readonly grantId: string,
  ) {
    super();
  }
}

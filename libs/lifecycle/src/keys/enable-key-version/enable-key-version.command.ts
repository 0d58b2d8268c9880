import { Command } from '@nestjs/cqrs';
import type { KeyVersionStatus } from '@lethe/domain';
import type { BreakGlassClaim } from '../../break-glass/privileged-use.js';

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
 * until the window of the grant `breakGlass` names ends (its `expiresAt`), then retired again. The
 * handler records the grant's use (or refusal) once the key ring said the version can be enabled.
 */
export class EnableKeyVersionCommand extends Command<EnabledKeyVersion> {
  constructor(
    readonly tenantId: string,
    readonly keyVersionId: string,
    /** The caller and the grant it names; undefined without a caller (refused as naming no grant). */
    readonly breakGlass: BreakGlassClaim | undefined,
  ) {
    super();
  }
}

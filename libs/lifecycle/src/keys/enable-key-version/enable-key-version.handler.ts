// Break-glass `key-version.enable`: a retired key version wraps and unwraps again until the grant's
// window ends, so an operator can restore an old backup under a time-bound, approved grant. The
// domain is asked first (without appending), so a version not retired, an unknown one or a shredded
// ring is refused before the vault is touched; then the vault enables the version; then the ring
// records KeyVersionEnabled (an external call recorded after it succeeded). A retry is safe: enable
// is idempotent in the vault, and the same grant and version record nothing twice. The key-ring
// saga sets the version's retirement timer at the window end, which retires it again. A retired
// version can be enabled only during its grace (LETHE_RETIRED_KEY_GRACE_DAYS): after, it is destroyed.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { decideKeyRing, DomainError, findVersion, versionStatus, type KeyRingCommand } from '@lethe/domain';
import { KeyVersionDestroyedError, type KeyVault } from '@lethe/vault';
import { VAULT } from '../../lifecycle.tokens.js';
import { BreakGlassRepository } from '../../break-glass/break-glass-repository.js';
import { grantOf } from '../../break-glass/grant-of.js';
import { KeyRingOpener } from '../key-ring-opener.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { EnableKeyVersionCommand, type EnabledKeyVersion } from './enable-key-version.command.js';

@CommandHandler(EnableKeyVersionCommand)
export class EnableKeyVersionHandler implements ICommandHandler<EnableKeyVersionCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
    @Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository,
    @Inject(VAULT) private readonly vault: Pick<KeyVault, 'enable'>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, keyVersionId, grantId }: EnableKeyVersionCommand): Promise<EnabledKeyVersion> {
    const grant = grantOf((await this.grants.load(grantId)).state);
    // The use was just recorded as allowed, so the grant is approved and has its window end.
    if (grant.expiresAt === null) throw new DomainError('grant-not-approved', `break-glass grant ${grantId} is not approved`);
    const command: KeyRingCommand = { type: 'EnableKeyVersion', data: { keyVersionId, until: grant.expiresAt, grantId } };
    const loaded = await this.opener.loadOpened(tenantId);
    // The domain's refusals come before the vault call; an empty answer is a retry (enable again, a no-op).
    decideKeyRing(command, loaded.state, { now: this.clock.now() });
    try {
      await this.vault.enable(keyVersionId);
    } catch (error) {
      // Destroyed in the vault by other means than its grace's end (a vault that destroyed it itself):
      // nothing can bring it back.
      if (error instanceof KeyVersionDestroyedError) {
        throw new DomainError('key-version-destroyed', `key version ${keyVersionId} was destroyed in the key vault: it can never be enabled again`);
      }
      throw error;
    }
    const { state } = await this.keyRings.execute(tenantId, command, `key-version-enable:${grantId}:${keyVersionId}`, { loaded });
    return { tenantId, keyVersionId, status: versionStatus(state, keyVersionId), enabledUntil: findVersion(state, keyVersionId)!.enabledUntil! };
  }
}

// Manual rotation: the vault creates a version, the ring records it (source manual). Refused for a
// client-held key (Lethe cannot create its versions) and after the shred.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@lethe/domain';
import type { KeyVault } from '@lethe/vault';
import { VAULT } from '../../lifecycle.tokens.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { RotateKeyCommand, type RotatedKey } from './rotate-key.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(RotateKeyCommand)
export class RotateKeyHandler implements ICommandHandler<RotateKeyCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(VAULT) private readonly vault: Pick<KeyVault, 'createVersion'>,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
  ) {}

  async execute({ tenantId, requestId }: RotateKeyCommand): Promise<RotatedKey> {
    const loaded = await this.opener.loadOpened(tenantId);
    const { state } = loaded;
    if (state.destroyed) throw new DomainError('key-ring-destroyed', 'the tenant was shredded: its key can never get a version again');
    if (state.keyCustody === 'client') throw new DomainError('client-held-key', 'the client holds this key: Lethe cannot create its versions');
    const created = await this.vault.createVersion(state.keyId!, requestId === undefined ? undefined : `rotate:${requestId}`);
    const createdAt = created.createdAt.toISOString();
    await this.keyRings.execute(tenantId, { type: 'AddKeyVersion', data: { keyVersionId: created.versionId, source: 'manual', createdAt } }, `rotate:${created.versionId}`, { loaded });
    return { keyVersionId: created.versionId, createdAt };
  }
}

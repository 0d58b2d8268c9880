import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { decideKeyRing, newestVersion, type KeyRingState } from '@lethe/domain';
import { DATA_PLANE } from '../../lifecycle.tokens.js';
import type { LifecycleDataPlane } from '../../lifecycle-ports.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { AddDatabaseCommand } from './add-database.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(AddDatabaseCommand)
export class AddDatabaseHandler implements ICommandHandler<AddDatabaseCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(DATA_PLANE) private readonly dataPlane: Pick<LifecycleDataPlane, 'protectDatabase'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
  ) {}

  async execute({ tenantId, databaseId }: AddDatabaseCommand): Promise<KeyRingState> {
    const loaded = await this.opener.loadOpened(tenantId);
    const command = { type: 'AddDatabase' as const, data: { databaseId } };
    // Validate before touching the data plane, so a refused request leaves nothing behind.
    decideKeyRing(command, loaded.state, { now: this.clock.now() });
    await this.dataPlane.protectDatabase(tenantId, databaseId, newestVersion(loaded.state)!.keyVersionId);
    const { state } = await this.keyRings.execute(tenantId, command, `add-database:${databaseId}`, { loaded });
    return state;
  }
}

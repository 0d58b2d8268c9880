import { Command } from '@nestjs/cqrs';

export interface RotatedKey {
  readonly keyVersionId: string;
  /** ISO 8601 instant the vault created the version. */
  readonly createdAt: string;
}

/**
 * A manual rotation: a new key version now. `requestId` (the caller's Idempotency-Key) makes a retry
 * after a crash adopt the version the vault already made for it, instead of making another.
 */
export class RotateKeyCommand extends Command<RotatedKey> {
  constructor(
    readonly tenantId: string,
    readonly requestId?: string,
  ) {
    super();
  }
}

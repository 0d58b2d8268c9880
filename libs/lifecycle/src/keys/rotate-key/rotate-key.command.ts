import { Command } from '@nestjs/cqrs';

export interface RotatedKey {
  readonly keyVersionId: string;
  /** ISO 8601 instant the vault created the version. */
  readonly createdAt: string;
}

/** A manual rotation: a new key version now. */
export class RotateKeyCommand extends Command<RotatedKey> {
  constructor(readonly tenantId: string) {
    super();
  }
}

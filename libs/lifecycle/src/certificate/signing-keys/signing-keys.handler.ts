import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { PostgresSigningKeyRegistry, PublicSigningKey } from '@lethe/vault';
import { SIGNING_KEYS } from '../../lifecycle.tokens.js';
import { CurrentSigningKeyQuery, SigningKeysQuery } from './signing-keys.query.js';

@QueryHandler(SigningKeysQuery)
export class SigningKeysHandler implements IQueryHandler<SigningKeysQuery> {
  constructor(@Inject(SIGNING_KEYS) private readonly keys: PostgresSigningKeyRegistry) {}

  execute(): Promise<readonly PublicSigningKey[]> {
    return this.keys.list();
  }
}

@QueryHandler(CurrentSigningKeyQuery)
export class CurrentSigningKeyHandler implements IQueryHandler<CurrentSigningKeyQuery> {
  constructor(@Inject(SIGNING_KEYS) private readonly keys: PostgresSigningKeyRegistry) {}

  execute(): Promise<PublicSigningKey | undefined> {
    return this.keys.current();
  }
}

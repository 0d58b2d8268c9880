import { Query } from '@nestjs/cqrs';
import type { PublicSigningKey } from '@lethe/vault';

/** Every public key that has signed or signs certificates, oldest first, with its validity. */
export class SigningKeysQuery extends Query<readonly PublicSigningKey[]> {}

/** The key certificates are signed with now (undefined before any engine has started). */
export class CurrentSigningKeyQuery extends Query<PublicSigningKey | undefined> {}

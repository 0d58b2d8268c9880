// The key this instance signs certificates with, kept in step with the registry: registered as
// current when the engine starts, and checked before every signature. When another instance has
// made a newer key current (a rotation rolled out), the key is loaded again from its source (the
// rotated signing.key); a key that is still retired after that refuses to sign.
import type { KeyObject } from 'node:crypto';
import type { Clock } from '@lethe/clock';
import { signingKeyId, type SigningKeyPair } from '../signing-key.js';
import type { PostgresSigningKeyRegistry, PublicSigningKey } from './signing-key-registry.js';

/** A key that may sign now. */
export interface ActiveSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export class SigningKeyring {
  #pair: SigningKeyPair;

  constructor(
    private readonly registry: PostgresSigningKeyRegistry,
    /** Loads the key from where the instance is configured to take it (LETHE_SIGNING_KEY or signing.key). */
    private readonly load: () => Promise<SigningKeyPair>,
    private readonly clock: Clock,
    initial: SigningKeyPair,
  ) {
    this.#pair = initial;
  }

  /**
   * Records this instance's key as current (at boot).
   * @throws RetiredSigningKeyError when the configured key was superseded: the instance has an old key.
   */
  async activate(): Promise<PublicSigningKey> {
    return this.registry.register(this.#pair.publicKey, this.clock.now());
  }

  /**
   * The key to sign with now.
   * @throws RetiredSigningKeyError when this instance's key, even reloaded, was superseded.
   */
  async signer(): Promise<ActiveSigningKey> {
    const keyId = signingKeyId(this.#pair.publicKey);
    const known = await this.registry.find(keyId);
    if (!known || known.validUntil !== null) {
      this.#pair = await this.load();
      await this.activate();
    }
    return { keyId: signingKeyId(this.#pair.publicKey), privateKey: this.#pair.privateKey, publicKey: this.#pair.publicKey };
  }
}

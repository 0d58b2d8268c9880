// Serves issued deletion certificates (the stored bytes, never re-signed) and the public signing
// keys that verify them.
import type { PostgresSigningKeyRegistry, PublicSigningKey } from '@lethe/vault';
import type { PostgresCertificateStore } from './certificate-store.js';

export class CertificateService {
  constructor(
    private readonly certificates: PostgresCertificateStore,
    private readonly keys: PostgresSigningKeyRegistry,
  ) {}

  /** The tenant's signed certificate exactly as issued (JSON, UTF-8), or undefined until it is issued. */
  async certificateFor(tenantId: string): Promise<Buffer | undefined> {
    return (await this.certificates.latestFor(tenantId))?.document;
  }

  /** Every public key that has signed or signs certificates, oldest first, with its validity. */
  async publicKeys(): Promise<PublicSigningKey[]> {
    return this.keys.list();
  }

  /** The key certificates are signed with now (undefined before any engine has started). */
  async currentPublicKey(): Promise<PublicSigningKey | undefined> {
    return this.keys.current();
  }
}

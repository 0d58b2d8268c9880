// Serves signed deletion certificates, built on request from the tenant's stream.
import type { KeyObject } from 'node:crypto';
import { tenantStream } from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { buildCertificate, publicKeyId, signCertificate, type SignedCertificate } from './deletion-certificate.js';

export class CertificateService {
  constructor(
    private readonly store: EventStore,
    private readonly signing: { readonly privateKey: KeyObject; readonly publicKey: KeyObject },
  ) {}

  /** The signed certificate, or undefined while the tenant has no verified shred. */
  async certificateFor(tenantId: string): Promise<SignedCertificate | undefined> {
    const events = await this.store.readStream(tenantStream(tenantId));
    const certificate = buildCertificate(tenantId, events);
    return certificate ? signCertificate(certificate, this.signing.privateKey, this.signing.publicKey) : undefined;
  }

  publicKey(): { algorithm: 'Ed25519'; keyId: string; pem: string } {
    return { algorithm: 'Ed25519', keyId: publicKeyId(this.signing.publicKey), pem: this.signing.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }
}

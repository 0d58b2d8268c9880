// Issues a shred's deletion certificate once, when its ShredVerified is stored: a processor over
// the global log, so a crash at any point is followed by a retry from the same event.
//
// Exactly once, in this order:
//   1. the certificate is built from the tenant's events up to ShredVerified (never later ones), signed
//      with the current key, and stored in lethe_certificates unless the shred has one already: the
//      first stored bytes win and every retry reuses them, whatever key is current by then;
//   2. DeletionCertificateIssued {certificateId, sha256, keyId, at} is appended to the tenant stream,
//      its id derived from the certificate id, and the decider records one issuance per shred;
//   3. the processor's checkpoint moves.
// The row is written before the event (not in the processor's transaction), so the event never
// names bytes that were not kept.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import { tenantCategory, tenantStream, upcastEvent } from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { on, type Delivered, type Processor } from '@lethe/processors';
import type { SigningKeyring } from '@lethe/vault';
import { canonicalJson } from './canonical-json.js';
import type { PostgresCertificateStore, StoredCertificate } from './certificate-store.js';
import { buildCertificate, certificateSha256, signCertificate } from './deletion-certificate.js';
import { causedEventId } from '../event-ids.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';

const INTERESTS = [on(tenantCategory, ['ShredVerified'])] as const;
type Verified = Delivered<typeof INTERESTS>;

/** The certificate id of a shred: derived, so every attempt names the same certificate. */
export const certificateIdOf = (tenantId: string, shredId: string) => `dc-${causedEventId('deletion-certificate', `${tenantId}\u0000${shredId}`, 0)}`;

export class CertificateIssuer implements Processor<typeof INTERESTS> {
  readonly name = 'certificate:issuer';
  readonly interests = INTERESTS;

  constructor(
    private readonly store: EventStore,
    private readonly tenants: TenantRepository,
    private readonly certificates: PostgresCertificateStore,
    private readonly keyring: SigningKeyring,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'info'>,
  ) {}

  async handle(event: Verified, _tx: pg.PoolClient): Promise<void> {
    const tenantId = event.categoryId;
    const { shredId } = event.data;
    const issued = (await this.certificates.find(tenantId, shredId)) ?? (await this.issue(tenantId, shredId, event));
    if (!issued) return;
    const { appended } = await this.tenants.execute(
      tenantId,
      {
        type: 'RecordCertificateIssued',
        data: { shredId, certificateId: issued.certificateId, sha256: issued.sha256, keyId: issued.keyId, issuedAt: issued.issuedAt.toISOString() },
      },
      issued.certificateId,
    );
    if (appended.length > 0) this.logger.info({ tenantId, shredId, certificateId: issued.certificateId, keyId: issued.keyId }, 'deletion certificate issued');
  }

  private async issue(tenantId: string, shredId: string, verified: Verified): Promise<StoredCertificate | undefined> {
    const upToVerified = (await this.store.readStream(tenantStream(tenantId))).filter((e) => e.revision <= verified.revision).map(upcastEvent);
    const key = await this.keyring.signer();
    const certificateId = certificateIdOf(tenantId, shredId);
    const issuedAt = this.clock.now();
    const certificate = buildCertificate(tenantId, upToVerified, { certificateId, issuedAt: issuedAt.toISOString(), signingKeyId: key.keyId });
    // Verified by another shred than this event's (cannot happen with one shred per tenant): nothing to issue.
    if (!certificate || certificate.shredId !== shredId) return undefined;
    const signed = signCertificate(certificate, key);
    return this.certificates.storeOnce({
      certificateId,
      tenantId,
      shredId,
      keyId: key.keyId,
      sha256: certificateSha256(certificate),
      document: Buffer.from(canonicalJson(signed), 'utf8'),
      issuedAt,
    });
  }
}

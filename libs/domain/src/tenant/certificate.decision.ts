// Recording a deletion certificate's issuance. A shred gets exactly one certificate: it is issued
// only for a verified shred, and once recorded, a retry records nothing (whatever it carries: the
// stored certificate, not a re-signed one, is the one that counts).
import { DomainError } from '../shared/decider.js';
import type { RecordCertificateIssued } from './tenant.commands.js';
import type { TenantEvent } from './tenant.events.js';
import type { ShredState } from './tenant.state.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** @throws DomainError 'shred-not-verified' before verification, 'invalid-certificate-hash' for a malformed hash. */
export function decideCertificateIssued(shred: ShredState, data: RecordCertificateIssued['data']): TenantEvent[] {
  if (shred.status !== 'verified') throw new DomainError('shred-not-verified', 'a deletion certificate is issued only for a verified shred');
  if (shred.certificate) return [];
  if (!SHA256_HEX.test(data.sha256)) throw new DomainError('invalid-certificate-hash', 'sha256 must be 64 lowercase hex digits');
  return [
    {
      type: 'DeletionCertificateIssued',
      data: { shredId: shred.shredId, certificateId: data.certificateId, sha256: data.sha256, keyId: data.keyId, at: data.issuedAt },
    },
  ];
}

import { generateKeyPairSync } from 'node:crypto';
import { signingKeyId } from '@lethe/vault';
import { CERTIFICATE_FORMAT, signCertificate, verifyCertificate, type DeletionCertificate } from './deletion-certificate.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: signingKeyId(publicKey), pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const old = pair();
const current = pair();

const certificate = (keyId: string, issuedAt = '2026-12-30T12:00:00.000Z') =>
  ({ format: CERTIFICATE_FORMAT, certificateId: 'dc-1', issuedAt, signingKeyId: keyId, tenantId: 'acme', verifiedAt: issuedAt }) as unknown as DeletionCertificate;

const keys = [
  { pem: old.pem, validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2027-01-04T09:00:00.000Z' },
  { pem: current.pem, validFrom: '2027-01-04T09:00:00.000Z', validUntil: null },
];

describe('verifyCertificate', () => {
  it('picks the key by the certificate key id from a list, so an old certificate verifies after a rotation', () => {
    expect(verifyCertificate(signCertificate(certificate(old.keyId), old), keys)).toEqual({ valid: true, keyId: old.keyId });
    expect(verifyCertificate(signCertificate(certificate(current.keyId, '2027-01-05T00:00:00.000Z'), current), keys)).toEqual({ valid: true, keyId: current.keyId });
  });

  it('refuses a certificate issued outside its key validity (a retired key signing later)', () => {
    const late = signCertificate(certificate(old.keyId, '2027-02-01T00:00:00.000Z'), old);
    expect(verifyCertificate(late, keys)).toMatchObject({ valid: false, reason: expect.stringContaining('outside its key') });
  });

  it('names the mismatch when pinned to another key, or the key is not listed', () => {
    const signed = signCertificate(certificate(old.keyId), old);
    expect(verifyCertificate(signed, current.publicKey)).toEqual({ valid: false, reason: `signed by key ${old.keyId}, not by the trusted key ${current.keyId}` });
    expect(verifyCertificate(signed, [keys[1]])).toMatchObject({ valid: false, reason: `signed by key ${old.keyId}, not by the trusted key ${current.keyId}` });
    expect(verifyCertificate(signed, [keys[1], { pem: pair().pem }])).toMatchObject({ valid: false, reason: expect.stringContaining('not among the trusted keys') });
  });

  it('refuses an altered certificate, and a signature naming another key than the certificate', () => {
    const signed = signCertificate(certificate(old.keyId), old);
    expect(verifyCertificate({ ...signed, certificate: { ...signed.certificate, tenantId: 'other' } }, keys)).toMatchObject({ valid: false });
    expect(verifyCertificate({ ...signed, signature: { ...signed.signature, keyId: current.keyId } }, keys)).toMatchObject({
      valid: false,
      reason: 'the certificate and its signature name different signing keys',
    });
    expect(() => signCertificate(certificate(old.keyId), current)).toThrow('names signing key');
  });

  it('keeps certificates of the earlier formats verifiable (v2: before deletion windows; v1: signed on request)', () => {
    const v2 = signCertificate({ ...certificate(old.keyId), format: 'lethe-deletion-certificate/v2' } as unknown as DeletionCertificate, old);
    expect(CERTIFICATE_FORMAT).toBe('lethe-deletion-certificate/v3');
    expect(verifyCertificate(v2, keys)).toEqual({ valid: true, keyId: old.keyId });
    expect(verifyCertificate({ ...v2, certificate: { ...v2.certificate, tenantId: 'other' } }, keys)).toMatchObject({ valid: false });
    const v1 = signCertificate({ ...certificate(old.keyId), format: 'lethe-deletion-certificate/v1' } as unknown as DeletionCertificate, old);
    expect(verifyCertificate(v1, old.publicKey)).toEqual({ valid: true, keyId: old.keyId });
    const v9 = signCertificate({ ...certificate(old.keyId), format: 'lethe-deletion-certificate/v9' } as unknown as DeletionCertificate, old);
    expect(verifyCertificate(v9, keys)).toMatchObject({ valid: false, reason: expect.stringContaining('unknown certificate format') });
  });
});

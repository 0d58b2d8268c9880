// The signed proof handed to a customer after a verified shred: what triggered it, the promise
// (deadline) and when each step happened, which key versions were destroyed, which assets were
// purged, every probe and its outcome, and the positions of the events that record all of it.
// Issued once, when the shred is verified (certificate-issuer.ts), from the tenant's events up to
// ShredVerified; it names its id, issue instant and signing key id inside the signed bytes.
// v3 (deletion windows): when the key became unusable and, for a vault that purges later, that its
// material was not purged yet and when the purge is expected (`keyMaterial`; per version
// `purgeExpectedAt`). The purge itself is confirmed after the certificate, by KeyMaterialPurged in
// the tenant's events. v1 and v2 certificates stay verifiable.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { evolveTenant, initialTenantState, keyMaterialPurgeExpectedAt, tenantStream, type TenantEvent } from '@lethe/domain';
import type { RecordedEvent } from '@lethe/eventstore';
import { signingKeyId } from '@lethe/vault';
import { canonicalJson } from './canonical-json.js';

export const CERTIFICATE_FORMAT = 'lethe-deletion-certificate/v3';
/** Certificates served before issuance was stored (signed on each request); still verifiable. */
const LEGACY_FORMAT = 'lethe-deletion-certificate/v1';
/** Certificates issued before deletion windows (no keyMaterial, no purgeExpectedAt); still verifiable. */
const V2_FORMAT = 'lethe-deletion-certificate/v2';
/** Formats that name their signing key inside the signed bytes and their issue instant. */
const ISSUED_FORMATS: readonly string[] = [CERTIFICATE_FORMAT, V2_FORMAT];

export interface DeletionCertificate {
  readonly format: typeof CERTIFICATE_FORMAT;
  readonly certificateId: string;
  readonly issuedAt: string;
  readonly signingKeyId: string;
  readonly tenantId: string;
  readonly stream: string;
  readonly shredId: string;
  readonly trigger: unknown;
  readonly jurisdiction: string;
  readonly timeZone: string;
  readonly effectiveAt: string;
  readonly receivedAt: string;
  readonly deadline: string;
  readonly executeAt: string;
  readonly executedAt: string;
  readonly keysDestroyedAt: string;
  readonly assetsPurgedAt: string;
  readonly verifiedAt: string;
  readonly verifiedWithinDeadline: boolean;
  /**
   * The key's material as of issuance: unusable since `unusableAt` (the latest of its versions: what
   * P4 is about); `purgedAt` when the vault had purged every version by then, else null with
   * `purgeExpectedAt`, when the vault is expected to purge it (null if it gave no date).
   */
  readonly keyMaterial: { readonly unusableAt: string; readonly purgedAt: string | null; readonly purgeExpectedAt: string | null };
  readonly destroyedKeyVersions: readonly { keyVersionId: string; unusableAt: string; purgedAt: string | null; purgeExpectedAt: string | null }[];
  readonly purgedAssets: readonly { kind: string; id: string; purgedAt: string }[];
  readonly probes: readonly { attempt: number; outcome: string; at: string; results: readonly { databaseId: string; outcome: string }[] }[];
  readonly breaches: readonly { cause: string; at: string }[];
  readonly events: readonly { type: string; eventId: string; revision: string; position: string }[];
}

export interface SignedCertificate {
  readonly certificate: DeletionCertificate;
  /** Ed25519 over canonicalJson(certificate); `keyId` names the key, as `certificate.signingKeyId` does. */
  readonly signature: { readonly algorithm: 'Ed25519'; readonly keyId: string; readonly value: string };
}

/** What issuance adds to the certificate: its id, when it was issued, and by which key. */
export interface CertificateIssuance {
  readonly certificateId: string;
  readonly issuedAt: string;
  readonly signingKeyId: string;
}

const SHRED_EVENTS = new Set([
  'ShredScheduled',
  'ShredAdvanced',
  'ShredExecutionForced',
  'DeletionRequested',
  'ShredExecutionStarted',
  'KeyDestroyed',
  'AssetsPurged',
  'ShredStepFailed',
  'ShredProbeRecorded',
  'ShredVerified',
  'ShredVerificationFailed',
  'ShredDeadlineBreached',
]);

/**
 * The certificate for the tenant's verified shred, from its stream's events (pass them up to and
 * including ShredVerified, so the document never depends on what came after), or undefined while the
 * shred is not verified.
 */
export function buildCertificate(tenantId: string, recorded: readonly RecordedEvent[], issuance: CertificateIssuance): DeletionCertificate | undefined {
  const state = recorded.map((e) => ({ type: e.type, data: e.data }) as TenantEvent).reduce(evolveTenant, initialTenantState);
  const s = state.shred;
  if (!s || s.status !== 'verified' || !s.verifiedAt || !s.executedAt || !s.keysDestroyedAt || !s.assetsPurgedAt) return undefined;
  const mine = recorded.filter((e) => SHRED_EVENTS.has(e.type) && (e.data as { shredId?: string }).shredId === s.shredId);
  const probes = mine
    .filter((e) => e.type === 'ShredProbeRecorded')
    .map((e) => {
      const d = e.data as { attempt: number; outcome: string; at: string; results: { databaseId: string; outcome: string }[] };
      return { attempt: d.attempt, outcome: d.outcome, at: d.at, results: d.results.map((r) => ({ databaseId: r.databaseId, outcome: r.outcome })) };
    });
  return {
    format: CERTIFICATE_FORMAT,
    certificateId: issuance.certificateId,
    issuedAt: issuance.issuedAt,
    signingKeyId: issuance.signingKeyId,
    tenantId,
    stream: tenantStream(tenantId),
    shredId: s.shredId,
    trigger: s.trigger,
    jurisdiction: s.calendar.jurisdiction,
    timeZone: s.calendar.timeZone,
    effectiveAt: s.effectiveAt,
    receivedAt: s.receivedAt,
    deadline: s.deadline,
    executeAt: s.executeAt,
    executedAt: s.executedAt,
    keysDestroyedAt: s.keysDestroyedAt,
    assetsPurgedAt: s.assetsPurgedAt,
    verifiedAt: s.verifiedAt,
    verifiedWithinDeadline: new Date(s.verifiedAt).getTime() <= new Date(s.deadline).getTime(),
    keyMaterial: {
      unusableAt: s.destroyedKeyVersions.map((v) => v.unusableAt).sort().at(-1) ?? s.keysDestroyedAt,
      purgedAt: s.keyMaterialPurgedAt ?? null,
      purgeExpectedAt: keyMaterialPurgeExpectedAt(s),
    },
    destroyedKeyVersions: s.destroyedKeyVersions.map((v) => ({ keyVersionId: v.keyVersionId, unusableAt: v.unusableAt, purgedAt: v.purgedAt, purgeExpectedAt: v.purgeExpectedAt })),
    purgedAssets: s.purgedAssets,
    probes,
    breaches: s.breaches,
    events: mine.map((e) => ({ type: e.type, eventId: e.id, revision: e.revision.toString(), position: e.position.toString() })),
  };
}

/** A public key's id, as certificates and GET /v1/certificate-keys name it. */
export const publicKeyId = signingKeyId;

/** The signed bytes of a certificate: its canonical JSON. */
export function certificateBytes(certificate: DeletionCertificate): Buffer {
  return Buffer.from(canonicalJson(certificate), 'utf8');
}

/** SHA-256 (hex) of the bytes the signature covers: what DeletionCertificateIssued records. */
export function certificateSha256(certificate: DeletionCertificate): string {
  return createHash('sha256').update(certificateBytes(certificate)).digest('hex');
}

/** Signs with `key`, which must be the key `certificate.signingKeyId` names. */
export function signCertificate(certificate: DeletionCertificate, key: { readonly keyId: string; readonly privateKey: KeyObject }): SignedCertificate {
  if (certificate.signingKeyId !== key.keyId) throw new Error(`the certificate names signing key ${certificate.signingKeyId}, not ${key.keyId}`);
  const value = sign(null, certificateBytes(certificate), key.privateKey).toString('base64');
  return { certificate, signature: { algorithm: 'Ed25519', keyId: key.keyId, value } };
}

/** A public key a verifier trusts: a pinned key, or one entry of GET /v1/certificate-keys. */
export interface TrustedSigningKey {
  /** SPKI PEM; its id is computed from it, never taken on trust. */
  readonly pem: string;
  /** When given, the certificate must have been issued within [validFrom, validUntil]. */
  readonly validFrom?: string;
  readonly validUntil?: string | null;
}

export type VerificationResult = { readonly valid: true; readonly keyId: string } | { readonly valid: false; readonly reason: string };

const invalid = (reason: string): VerificationResult => ({ valid: false, reason });

/**
 * Checks a signed certificate against trusted keys: one pinned key, or a list (GET /v1/certificate-keys)
 * from which the key is picked by the certificate's key id. There is no verification without a trusted
 * key: the document cannot vouch for its own signer. With a validity window, the certificate must have
 * been issued while its key was current.
 */
export function verifyCertificate(document: unknown, trusted: KeyObject | readonly TrustedSigningKey[]): VerificationResult {
  const doc = document as Partial<SignedCertificate> | null;
  if (!doc || typeof doc !== 'object' || !doc.certificate || !doc.signature) return invalid('not a signed certificate: certificate and signature are required');
  const certificate = doc.certificate as Partial<DeletionCertificate> & { format?: string };
  const format = String(certificate.format);
  if (!ISSUED_FORMATS.includes(format) && format !== LEGACY_FORMAT) return invalid(`unknown certificate format (expected ${CERTIFICATE_FORMAT})`);
  if (doc.signature.algorithm !== 'Ed25519') return invalid('unsupported signature algorithm (expected Ed25519)');
  const keyId = String(doc.signature.keyId);
  if (ISSUED_FORMATS.includes(format) && certificate.signingKeyId !== keyId) return invalid('the certificate and its signature name different signing keys');
  const candidates: { key: KeyObject; validFrom?: string; validUntil?: string | null }[] = [];
  try {
    if (Array.isArray(trusted)) for (const t of trusted) candidates.push({ key: createPublicKey(t.pem), validFrom: t.validFrom, validUntil: t.validUntil });
    else candidates.push({ key: trusted as KeyObject });
  } catch {
    return invalid('a trusted key is not a PEM (SPKI) public key');
  }
  const match = candidates.find((c) => signingKeyId(c.key) === keyId);
  if (!match) {
    return invalid(
      candidates.length === 1 ? `signed by key ${keyId}, not by the trusted key ${signingKeyId(candidates[0].key)}` : `signed by key ${keyId}, which is not among the trusted keys`,
    );
  }
  if (!verify(null, Buffer.from(canonicalJson(certificate)), match.key, Buffer.from(String(doc.signature.value), 'base64'))) {
    return invalid('signature does not match the certificate: it was altered or signed by another key');
  }
  if (ISSUED_FORMATS.includes(format) && match.validFrom !== undefined) {
    const issued = Date.parse(String(certificate.issuedAt));
    const tooEarly = issued < Date.parse(match.validFrom);
    const tooLate = match.validUntil !== null && match.validUntil !== undefined && issued > Date.parse(match.validUntil);
    if (Number.isNaN(issued) || tooEarly || tooLate) {
      return invalid(`issued at ${String(certificate.issuedAt)}, outside its key's validity (${match.validFrom} to ${match.validUntil ?? 'now'})`);
    }
  }
  return { valid: true, keyId };
}

// The signed proof handed to a customer after a verified shred: what triggered it, the promise
// (deadline) and when each step happened, which key versions were destroyed, which assets were
// purged, every probe and its outcome, and the positions of the events that record all of it.
// Built from the tenant's stream only, so it is the same document every time it is asked for.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { evolveTenant, initialTenantState, tenantStream, type TenantEvent } from '@lethe/domain';
import type { RecordedEvent } from '@lethe/eventstore';
import { canonicalJson } from './canonical-json.js';

export const CERTIFICATE_FORMAT = 'lethe-deletion-certificate/v1';

export interface DeletionCertificate {
  readonly format: typeof CERTIFICATE_FORMAT;
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
  readonly destroyedKeyVersions: readonly { keyVersionId: string; unusableAt: string; purgedAt: string | null }[];
  readonly purgedAssets: readonly { kind: string; id: string; purgedAt: string }[];
  readonly probes: readonly { attempt: number; outcome: string; at: string; results: readonly { databaseId: string; outcome: string }[] }[];
  readonly breaches: readonly { cause: string; at: string }[];
  readonly events: readonly { type: string; eventId: string; revision: string; position: string }[];
}

export interface SignedCertificate {
  readonly certificate: DeletionCertificate;
  readonly signature: { readonly algorithm: 'Ed25519'; readonly keyId: string; readonly publicKey: string; readonly value: string };
}

const SHRED_EVENTS = new Set([
  'ShredScheduled',
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

/** The certificate for a verified shred, or undefined while there is none. */
export function buildCertificate(tenantId: string, recorded: readonly RecordedEvent[]): DeletionCertificate | undefined {
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
    destroyedKeyVersions: s.destroyedKeyVersions,
    purgedAssets: s.purgedAssets,
    probes,
    breaches: s.breaches,
    events: mine.map((e) => ({ type: e.type, eventId: e.id, revision: e.revision.toString(), position: e.position.toString() })),
  };
}

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 32);
}

export function signCertificate(certificate: DeletionCertificate, privateKey: KeyObject, publicKey: KeyObject): SignedCertificate {
  const value = sign(null, Buffer.from(canonicalJson(certificate)), privateKey).toString('base64');
  return {
    certificate,
    signature: {
      algorithm: 'Ed25519',
      keyId: publicKeyId(publicKey),
      publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      value,
    },
  };
}

export type VerificationResult = { readonly valid: true; readonly keyPinned: boolean } | { readonly valid: false; readonly reason: string };

/**
 * Checks a signed certificate. With `trustedKey` the signature must be by that key; without it the
 * key embedded in the document is used, which proves integrity but not origin (keyPinned: false).
 */
export function verifyCertificate(document: unknown, trustedKey?: KeyObject): VerificationResult {
  const doc = document as Partial<SignedCertificate> | null;
  if (!doc || typeof doc !== 'object' || !doc.certificate || !doc.signature) return { valid: false, reason: 'not a signed certificate: certificate and signature are required' };
  if (doc.certificate.format !== CERTIFICATE_FORMAT) return { valid: false, reason: `unknown certificate format (expected ${CERTIFICATE_FORMAT})` };
  if (doc.signature.algorithm !== 'Ed25519') return { valid: false, reason: 'unsupported signature algorithm (expected Ed25519)' };
  let key: KeyObject;
  try {
    key = trustedKey ?? createPublicKey({ key: Buffer.from(String(doc.signature.publicKey), 'base64'), format: 'der', type: 'spki' });
  } catch {
    return { valid: false, reason: 'the embedded public key is malformed' };
  }
  if (trustedKey && doc.signature.keyId !== publicKeyId(trustedKey)) return { valid: false, reason: 'signed by a different key than the one trusted' };
  const ok = verify(null, Buffer.from(canonicalJson(doc.certificate)), key, Buffer.from(String(doc.signature.value), 'base64'));
  return ok ? { valid: true, keyPinned: trustedKey !== undefined } : { valid: false, reason: 'signature does not match the certificate: it was altered or signed by another key' };
}

// How a webhook receiver knows a POST came from Lethe and is fresh: `Lethe-Signature: t=<unix
// seconds>,v1=<hex>` where v1 = HMAC-SHA256(secret, `${t}.${body}`) over the exact body bytes. The
// receiver recomputes it, compares in constant time, and refuses a timestamp outside its replay
// window (5 minutes by default), so a captured request cannot be sent again later.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Lethe-Signature';
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The header value for `body` signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'outside-replay-window' | 'mismatch' };

/**
 * The sample receiver's check (docs/events.md shows it): `body` is the raw request body as received,
 * before any JSON parsing. `nowSeconds` is the receiver's clock.
 */
export function verifyWebhookSignature(input: {
  readonly header: string | undefined;
  readonly body: string;
  readonly secret: string;
  readonly nowSeconds: number;
  readonly replayWindowSeconds?: number;
}): SignatureCheck {
  if (!input.header) return { ok: false, reason: 'missing' };
  const parts = new Map(input.header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d{1,12}$/.test(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'malformed' };
  if (Math.abs(input.nowSeconds - Number(t)) > (input.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS)) return { ok: false, reason: 'outside-replay-window' };
  const expected = Buffer.from(signatureOf(input.secret, Number(t), input.body), 'hex');
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'whsec-0123456789abcdef0123456789abcdef';
const body = '{"id":"e-1","type":"shred.verified"}';
const t = 1_900_000_000;

describe('webhook signature', () => {
  it('given a body signed with the shared secret, when checked within the window, then it is accepted', () => {
    expect(verifyWebhookSignature({ header: signWebhook(secret, t, body), body, secret, nowSeconds: t + 299 })).toEqual({ ok: true });
  });

  it('given another secret, then the signature does not match', () => {
    expect(verifyWebhookSignature({ header: signWebhook('whsec-someone-else-entirely-0000000000', t, body), body, secret, nowSeconds: t })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('given a body changed by one byte, then the signature does not match', () => {
    expect(verifyWebhookSignature({ header: signWebhook(secret, t, body), body: body.replace('e-1', 'e-2'), secret, nowSeconds: t })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('given a timestamp moved to fit the window, then the signature does not match (the timestamp is signed)', () => {
    const header = signWebhook(secret, t, body).replace(`t=${t}`, `t=${t + 1000}`);
    expect(verifyWebhookSignature({ header, body, secret, nowSeconds: t + 1000 })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('given a captured request sent again after the replay window, then it is refused', () => {
    expect(verifyWebhookSignature({ header: signWebhook(secret, t, body), body, secret, nowSeconds: t + 301 })).toEqual({ ok: false, reason: 'outside-replay-window' });
  });

  it('given no header or a malformed one, then it is refused', () => {
    expect(verifyWebhookSignature({ header: undefined, body, secret, nowSeconds: t })).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWebhookSignature({ header: 'sha256=abc', body, secret, nowSeconds: t })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhookSignature({ header: `t=${t},v1=zz`, body, secret, nowSeconds: t })).toEqual({ ok: false, reason: 'malformed' });
  });
});

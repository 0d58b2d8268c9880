import { requestFingerprint } from './request-fingerprint.js';

describe('requestFingerprint', () => {
  it('is the same for bodies that differ only in key order or whitespace', () => {
    expect(requestFingerprint(JSON.parse('{ "a": 1, "b": [1, 2] }'))).toBe(requestFingerprint({ b: [1, 2], a: 1 }));
    expect(requestFingerprint({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for an instant written another way (the same instant), at any depth', () => {
    const at = (effectiveAt: string) => requestFingerprint({ terminationId: 't', effectiveAt, also: [{ at: effectiveAt }] });
    expect(at('2027-01-01T00:00:00Z')).toBe(at('2027-01-01T00:00:00.000Z'));
    expect(at('2027-01-01T01:00:00+01:00')).toBe(at('2027-01-01T00:00:00.000Z'));
    expect(at('2027-01-01T00:00:00.001Z')).not.toBe(at('2027-01-01T00:00:00Z'));
    // Text that is no instant is compared as written.
    expect(requestFingerprint({ reason: '2027-01-01' })).not.toBe(requestFingerprint({ reason: '2027-01-01T00:00:00.000Z' }));
  });

  it('differs when any value differs', () => {
    expect(requestFingerprint({ a: 1 })).not.toBe(requestFingerprint({ a: 2 }));
    expect(requestFingerprint({ a: [1, 2] })).not.toBe(requestFingerprint({ a: [2, 1] }));
    expect(requestFingerprint({ a: '1' })).not.toBe(requestFingerprint({ a: 1 }));
  });
});

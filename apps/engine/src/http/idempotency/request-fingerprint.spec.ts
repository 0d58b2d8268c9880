import { requestFingerprint } from './request-fingerprint.js';

describe('requestFingerprint', () => {
  it('is the same for bodies that differ only in key order or whitespace', () => {
    expect(requestFingerprint(JSON.parse('{ "a": 1, "b": [1, 2] }'))).toBe(requestFingerprint({ b: [1, 2], a: 1 }));
    expect(requestFingerprint({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when any value differs', () => {
    expect(requestFingerprint({ a: 1 })).not.toBe(requestFingerprint({ a: 2 }));
    expect(requestFingerprint({ a: [1, 2] })).not.toBe(requestFingerprint({ a: [2, 1] }));
    expect(requestFingerprint({ a: '1' })).not.toBe(requestFingerprint({ a: 1 }));
  });
});

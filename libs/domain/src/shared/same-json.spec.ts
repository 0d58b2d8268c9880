import { sameJson } from './same-json.js';

describe('sameJson', () => {
  it('ignores key order, not array order', () => {
    expect(sameJson({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });

  it('takes two spellings of one instant as the same value, and two instants as different', () => {
    expect(sameJson({ effectiveAt: '2027-01-01T00:00:00Z' }, { effectiveAt: '2027-01-01T00:00:00.000Z' })).toBe(true);
    expect(sameJson({ effectiveAt: '2027-01-01T01:00:00+01:00' }, { effectiveAt: '2027-01-01T00:00:00Z' })).toBe(true);
    expect(sameJson({ effectiveAt: '2027-01-01T00:00:00.001Z' }, { effectiveAt: '2027-01-01T00:00:00Z' })).toBe(false);
    expect(sameJson('not an instant', 'not  an instant')).toBe(false);
  });
});

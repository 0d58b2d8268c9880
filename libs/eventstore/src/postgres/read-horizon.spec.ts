import { ReadHorizon } from './read-horizon.js';

describe('ReadHorizon', () => {
  it('delivers a contiguous run without waiting for any watermark', () => {
    const h = new ReadHorizon();
    expect(h.deliverable(0n, [1n, 2n, 3n])).toBe(3);
    expect(h.deliverable(10n, [11n, 12n])).toBe(2);
  });

  it('stops at a hole above the watermark, since an in-flight append may still fill it', () => {
    const h = new ReadHorizon();
    expect(h.deliverable(0n, [1n, 2n, 4n, 5n])).toBe(2);
    expect(h.deliverable(0n, [2n])).toBe(0);
  });

  it('jumps holes once the transactions that could hold them have ended', () => {
    const h = new ReadHorizon();
    // Sequence at 5, then the reader took xid 100.
    h.observe(90n, { lastValue: 5n, xid: 100n });
    expect(h.finalUpTo).toBe(0n);
    expect(h.deliverable(0n, [1n, 2n, 4n, 5n, 7n])).toBe(2);
    // xmin 100 is not enough: xid 100 itself (the reader's) must have ended too.
    h.observe(100n);
    expect(h.finalUpTo).toBe(0n);
    // Every xid up to 100 has ended: positions up to 5 are final, 3 was rolled back.
    h.observe(101n, { lastValue: 7n, xid: 120n });
    expect(h.finalUpTo).toBe(5n);
    expect(h.deliverable(2n, [4n, 5n, 7n])).toBe(2);
    h.observe(125n, { lastValue: 9n, xid: 130n });
    expect(h.finalUpTo).toBe(7n);
    expect(h.deliverable(5n, [7n, 9n])).toBe(1);
  });

  it('never lowers the watermark', () => {
    const h = new ReadHorizon();
    h.observe(1n, { lastValue: 50n, xid: 10n });
    h.observe(1n, { lastValue: 20n, xid: 11n });
    h.observe(12n);
    expect(h.finalUpTo).toBe(50n);
  });
});

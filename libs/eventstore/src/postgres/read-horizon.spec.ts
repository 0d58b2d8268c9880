import { ReadHorizon } from './read-horizon.js';

const set = (...ids: string[]): ReadonlySet<string> => new Set(ids);
const NONE = set();

describe('ReadHorizon', () => {
  describe('deliverable', () => {
    it('given no watermark, when the positions are contiguous, then all are delivered', () => {
      const h = new ReadHorizon();
      expect(h.deliverable(0n, [1n, 2n, 3n])).toBe(3);
      expect(h.deliverable(10n, [11n, 12n])).toBe(2);
    });

    it('given no watermark, when a hole follows, then delivery stops before it, since an in-flight append may still fill it', () => {
      const h = new ReadHorizon();
      expect(h.deliverable(0n, [1n, 2n, 4n, 5n])).toBe(2);
      expect(h.deliverable(0n, [2n])).toBe(0);
    });

    it('given a watermark passed explicitly, then holes are jumped only up to it', () => {
      const h = new ReadHorizon();
      expect(h.deliverable(0n, [2n, 4n, 7n], 5n)).toBe(2);
    });
  });

  describe('observe', () => {
    it('given no other transaction holds the lock, when the sequence is at 5, then every hole up to 5 is final at once', () => {
      const h = new ReadHorizon();
      h.observe(NONE, { lastValue: 5n, inFlight: NONE });
      expect(h.finalUpTo).toBe(5n);
      expect(h.deliverable(0n, [1n, 2n, 4n, 5n, 7n])).toBe(4);
    });

    it('given an append in flight at the observation, when it is still running, then nothing is final; when it has ended, then holes up to the observed value are', () => {
      const h = new ReadHorizon();
      h.observe(set('3/10'), { lastValue: 5n, inFlight: set('3/10') });
      expect(h.finalUpTo).toBe(0n);
      expect(h.deliverable(0n, [1n, 2n, 4n, 5n])).toBe(2);

      h.observe(set('3/10', '4/7'));
      expect(h.finalUpTo).toBe(0n);

      // 3/10 ended (committed or rolled back); 4/7 began after the observation and is not waited for.
      h.observe(set('4/7'));
      expect(h.finalUpTo).toBe(5n);
      expect(h.deliverable(2n, [4n, 5n, 7n])).toBe(2);
    });

    it('given two appends in flight, when only one has ended, then the observation still waits for the other', () => {
      const h = new ReadHorizon();
      h.observe(set('1/1', '2/1'), { lastValue: 9n, inFlight: set('1/1', '2/1') });
      h.observe(set('2/1'));
      expect(h.finalUpTo).toBe(0n);
      h.observe(NONE);
      expect(h.finalUpTo).toBe(9n);
    });

    it('given observations settling at different times, then the watermark follows the newest settled one', () => {
      const h = new ReadHorizon();
      h.observe(set('a'), { lastValue: 5n, inFlight: set('a') });
      h.observe(set('a', 'b'), { lastValue: 8n, inFlight: set('a', 'b') });
      h.observe(set('b'), { lastValue: 12n, inFlight: set('b') });
      expect(h.finalUpTo).toBe(5n);
      h.observe(NONE);
      expect(h.finalUpTo).toBe(12n);
    });

    it('given a long append in flight, when the reader observes many times, then one observation is kept and it settles with the newest value', () => {
      const h = new ReadHorizon();
      for (let last = 1n; last <= 1000n; last++) h.observe(set('long'), { lastValue: last, inFlight: set('long') });
      h.observe(NONE);
      expect(h.finalUpTo).toBe(1000n);
    });

    it('given a higher watermark, when an older, lower observation settles, then the watermark is not lowered', () => {
      const h = new ReadHorizon();
      h.observe(NONE, { lastValue: 50n, inFlight: NONE });
      h.observe(set('x'), { lastValue: 20n, inFlight: set('x') });
      h.observe(NONE);
      expect(h.finalUpTo).toBe(50n);
    });
  });
});

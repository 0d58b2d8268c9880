import { Random } from './random.js';

describe('the seeded generator', () => {
  describe('given one seed twice', () => {
    it('then both give the same sequence; another seed gives another', () => {
      const draw = (seed: number) => {
        const rng = new Random(seed);
        return Array.from({ length: 100 }, () => rng.uint32());
      };
      expect(draw(42)).toEqual(draw(42));
      expect(draw(43)).not.toEqual(draw(42));
      // Only the low 32 bits of the seed count.
      expect(draw(42 + 2 ** 32)).toEqual(draw(42));
    });
  });

  describe('given many draws', () => {
    it('then int(lo, hi) stays within its bounds, both included, each value about as often', () => {
      const rng = new Random(7);
      const counts = new Map<number, number>();
      for (let i = 0; i < 60_000; i++) {
        const n = rng.int(-2, 3);
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
      for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    });

    it('then next() lies in [0, 1), chance(p) comes true about p of the time, exponential(m) averages about m', () => {
      const rng = new Random(11);
      let hits = 0;
      let sum = 0;
      let outside = 0;
      for (let i = 0; i < 50_000; i++) {
        const x = rng.next();
        if (!(x >= 0 && x < 1)) outside++;
        if (rng.chance(0.3)) hits++;
        sum += rng.exponential(5);
      }
      expect(outside).toBe(0);
      expect(Math.abs(hits / 50_000 - 0.3)).toBeLessThan(0.01);
      expect(Math.abs(sum / 50_000 - 5)).toBeLessThan(0.15);
    });

    it('then weighted() picks in proportion to the weights and never a zero-weight value', () => {
      const rng = new Random(3);
      const counts = { a: 0, b: 0, c: 0 };
      for (let i = 0; i < 40_000; i++) counts[rng.weighted<'a' | 'b' | 'c'>([['a', 1], ['b', 3], ['c', 0]])]++;
      expect(counts.c).toBe(0);
      expect(Math.abs(counts.b / counts.a - 3)).toBeLessThan(0.2);
    });
  });

  describe('given a fork', () => {
    it("then the parent's later draws do not depend on how much the fork draws", () => {
      const a = new Random(9);
      const b = new Random(9);
      const forkA = a.fork();
      const forkB = b.fork();
      forkA.uint32();
      for (let i = 0; i < 10; i++) forkB.uint32();
      expect(a.uint32()).toBe(b.uint32());
    });
  });

  describe('given bad arguments', () => {
    it('then they are refused naming the rule', () => {
      expect(() => new Random(1.5)).toThrow('seed must be an integer');
      expect(() => new Random(1).int(3, 2)).toThrow('int(lo, hi) needs integers lo <= hi');
      expect(() => new Random(1).pick([])).toThrow('pick needs at least one item');
    });
  });
});

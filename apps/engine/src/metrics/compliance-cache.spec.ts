// Given a tally that takes its time, when scrapes come: the cached tally is answered while fresh on
// both clocks, recomputed once stale, and a slow recomputation answers the previous tally meanwhile.
import { ManualClock } from '@lethe/clock';
import type { ComplianceTally } from '@lethe/lifecycle';
import { ComplianceCache } from './compliance-cache.js';

const T0 = new Date('2026-12-21T09:00:00.000Z');
const tallyAt = (at: Date, P1: number): ComplianceTally => ({ at: at.toISOString(), rings: 3, violations: { P1, P2: 0, P3: 0 }, databasesBehind: 0, databasesOverdue: 0 });

function setup(delayMs = 0) {
  const engine = new ManualClock(T0);
  const wall = new ManualClock(T0);
  let computed = 0;
  const compute = async () => {
    computed++;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return tallyAt(engine.now(), computed);
  };
  const cache = new ComplianceCache(compute, engine, wall, { maxAgeMs: 30_000, waitMs: 50 });
  return { engine, wall, cache, computed: () => computed };
}

describe('ComplianceCache', () => {
  it('computes once, then answers the cached tally with its age while it is fresh', async () => {
    const { wall, cache, computed } = setup();
    expect(await cache.current()).toEqual({ tally: tallyAt(T0, 1), ageSeconds: 0 });
    wall.set(new Date(T0.getTime() + 10_000));
    expect(await cache.current()).toEqual({ tally: tallyAt(T0, 1), ageSeconds: 10 });
    expect(computed()).toBe(1);
  });

  it('recomputes after maxAge of real time, and at once when the engine clock jumps past it', async () => {
    const { engine, wall, cache, computed } = setup();
    await cache.current();
    wall.set(new Date(T0.getTime() + 30_000));
    expect((await cache.current())?.tally.violations.P1).toBe(2);
    engine.set(new Date(T0.getTime() + 86_400_000));
    expect(await cache.current()).toMatchObject({ tally: { at: '2026-12-22T09:00:00.000Z', violations: { P1: 3 } }, ageSeconds: 0 });
    expect(computed()).toBe(3);
  });

  it('answers null, then the previous tally, while a slow computation runs; never two at once', async () => {
    const { wall, cache, computed } = setup(200);
    expect(await cache.current()).toBeNull();
    expect(await cache.current()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await cache.current())?.tally.violations.P1).toBe(1);
    wall.set(new Date(T0.getTime() + 60_000));
    expect(await cache.current()).toMatchObject({ tally: { violations: { P1: 1 } }, ageSeconds: 60 });
    expect(computed()).toBe(2);
  });

  it('rejects while the last computation failed, and recovers with the next', async () => {
    const engine = new ManualClock(T0);
    let fail = true;
    const cache = new ComplianceCache(async () => {
      if (fail) throw new Error('database unreachable');
      return tallyAt(engine.now(), 0);
    }, engine, engine);
    await expect(cache.current()).rejects.toThrow('database unreachable');
    fail = false;
    expect((await cache.current())?.tally.rings).toBe(3);
  });
});

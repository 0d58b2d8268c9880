// The oracle's alarm clock gives back, at each instant, exactly the tenants whose wake-up time passed,
// earliest first, whatever order they were added in.
import { WakeQueue } from './wake-queue.js';
import { Random } from '../fleet/random.js';

it('given wake-ups added in any order, when popped up to an instant, then exactly those at or before it come out, earliest first', () => {
  const q = new WakeQueue();
  q.add(30, 'c');
  q.add(10, 'a');
  q.add(20, 'b');
  q.add(40, 'd');
  expect(q.popUntil(5)).toEqual([]);
  expect(q.popUntil(20)).toEqual(['a', 'b']);
  expect(q.popUntil(20)).toEqual([]);
  expect(q.popUntil(100)).toEqual(['c', 'd']);
  expect(q.size).toBe(0);
});

it('given a thousand random wake-ups, when popped in slices, then each slice holds exactly the instants in it', () => {
  const rng = new Random(7);
  const q = new WakeQueue();
  const all = Array.from({ length: 1000 }, (_, i) => ({ at: rng.int(0, 10_000), tenantId: `t-${i}` }));
  for (const w of all) q.add(w.at, w.tenantId);
  for (let until = 0; until <= 10_000; until += 997) {
    const expected = all.filter((w) => w.at <= until && w.at > until - 997).map((w) => w.at).sort((a, b) => a - b);
    const byId = new Map(all.map((w) => [w.tenantId, w.at]));
    expect(q.popUntil(until).map((id) => byId.get(id))).toEqual(expected);
  }
});

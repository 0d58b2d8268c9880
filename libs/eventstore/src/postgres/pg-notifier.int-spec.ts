// The notifier's NOTIFY goes out one at a time on its LISTEN connection: publishes made while one is in
// flight are answered by a single further NOTIFY (pg refuses queries queued on a busy client from pg 9
// on, and each would wake every reader elsewhere for nothing). A wait, once resolved, leaves nothing
// attached to the stop signal or the notifier. Real PostgreSQL.
import { getEventListeners } from 'node:events';
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { PgNotifier } from './pg-notifier.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

it('given publishes made while a NOTIFY is in flight, then one more NOTIFY tells of them all', async () => {
  const listener = new pg.Client({ connectionString: db.url });
  listener.on('error', reportIdleError);
  await listener.connect();
  let received = 0;
  listener.on('notification', () => received++);
  await listener.query('listen notifier_test');
  const notifier = new PgNotifier({ connectionString: db.url }, 'notifier_test');
  try {
    // Once its connection is up, a publish reaches the listener
    await waitFor(() => {
      notifier.publish();
      return received > 0;
    });
    await new Promise((r) => setTimeout(r, 100));
    received = 0;
    // When ten publishes come at once
    for (let i = 0; i < 10; i++) notifier.publish();
    await waitFor(() => received >= 1);
    await new Promise((r) => setTimeout(r, 300));
    // Then the first went out and one more told of the nine behind it
    expect(received).toBe(2);
  } finally {
    await notifier.close();
    await listener.end();
  }
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('given many waits on one stop signal, when they resolve, then none is left attached to the signal or the notifier', async () => {
  const notifier = new PgNotifier({ connectionString: db.url }, 'notifier_waits');
  const stop = new AbortController();
  try {
    // When 20,000 waits time out side by side, as a fleet of subscriptions' poll intervals do over hours
    await Promise.all(Array.from({ length: 20_000 }, () => notifier.wait(notifier.seen, 1, stop.signal)));
    // Then each took its listener and its place with it (a reaction on a stop promise stayed forever)
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    expect(notifier.pendingWaits).toBe(0);
    // And a wait still ends at once when the signal is aborted
    const pending = notifier.wait(notifier.seen, 60_000, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort();
    await pending;
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    expect(notifier.pendingWaits).toBe(0);
  } finally {
    await notifier.close();
  }
});

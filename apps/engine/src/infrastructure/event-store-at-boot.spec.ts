// Boot with LETHE_EVENT_STORE=eventstoredb and no server answering: the boot stops, naming the
// setting, and the password in the connection string appears nowhere.
import { createServer } from 'node:net';
import { EventStoreUnavailableError, openEventStore } from './event-store-at-boot.js';
import type { Database } from './database.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the event store at boot', () => {
  it('refuses to boot when the EventStoreDB server does not answer, without echoing the credentials', async () => {
    const port = await closedPort();
    const logged: unknown[] = [];
    const attempt = openEventStore(
      { kind: 'eventstoredb', connectionString: `esdb://admin:s3cret-pw@127.0.0.1:${port}?tls=false` },
      // The PostgreSQL database is not touched for an EventStoreDB log.
      undefined as unknown as Database,
      { info: (...args: unknown[]) => void logged.push(args) },
    );
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(/^EVENTSTORE_CONNECTION_STRING: the EventStoreDB server did not answer at boot/);
    expect((error as Error).message).not.toContain('s3cret-pw');
    expect(logged).toEqual([]);
  });
});

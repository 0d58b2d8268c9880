// One LISTEN connection per store, shared by its subscriptions. It only wakes readers early: if the
// connection drops, readers keep polling on their interval until it is back.
import pg from 'pg';

export class PgNotifier {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private version = 0;
  private waiters = new Set<() => void>();
  /** A NOTIFY is in flight; and whether a publish came meanwhile (one more is sent after it). */
  private publishing = false;
  private publishAgain = false;

  constructor(
    /** A direct connection's settings: LISTEN is session state a transaction-mode pooler drops. */
    private readonly connection: pg.ClientConfig,
    private readonly channel: string,
  ) {
    this.ensureConnected();
  }

  /** A counter that grows with every notification; read it before a read, wait on it after. */
  get seen(): number {
    return this.version;
  }

  /**
   * Resolves when a notification newer than `since` arrives, after `timeoutMs`, or when `stop` is
   * aborted. A wait leaves nothing behind once it resolves: a subscription waits every poll interval
   * for as long as the engine runs, so anything a wait attached to a long-lived object (a reaction on
   * a stop promise did: its closure, timer and promises) would grow the heap with the uptime.
   */
  wait(since: number, timeoutMs: number, stop: AbortSignal): Promise<void> {
    if (this.version > since || stop.aborted) return Promise.resolve();
    this.ensureConnected();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        stop.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      stop.addEventListener('abort', done, { once: true });
    });
  }

  /** Waits not yet resolved (for tests: each resolved wait must leave none behind). */
  get pendingWaits(): number {
    return this.waiters.size;
  }

  /**
   * Sends one NOTIFY on the listening connection (not a pool slot, so writers never wait for it).
   * Dropped while disconnected: readers elsewhere then find the events by polling.
   */
  publish(): void {
    const client = this.client;
    if (!client || this.closed) {
      this.ensureConnected();
      return;
    }
    // One NOTIFY at a time on the connection (pg refuses queries queued on a busy client from pg 9 on):
    // publishes meanwhile are answered by one more once it is done, which tells of all their appends.
    if (this.publishing) {
      this.publishAgain = true;
      return;
    }
    this.publishing = true;
    const send = (): void => {
      void client
        .query(`select pg_notify('${this.channel}', '')`)
        .catch(() => undefined)
        .finally(() => {
          const again = this.publishAgain && this.client === client && !this.closed;
          this.publishAgain = false;
          if (again) send();
          else this.publishing = false;
        });
    };
    send();
  }

  /** Wakes this process's own readers at once (an append here needs no round trip to learn of it). */
  wakeLocal(): void {
    this.version++;
    for (const w of [...this.waiters]) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.waiters]) w();
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private ensureConnected(): void {
    if (this.closed || this.client || this.connecting) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = undefined;
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.connection);
    client.on('notification', (message) => {
      // Our own NOTIFY (sent on this connection) tells other processes what wakeLocal already told
      // this one: waking readers again would only cost each of them an empty read.
      if (message.processId === (client as unknown as { processID: number | null }).processID) return;
      this.version++;
      for (const w of [...this.waiters]) w();
    });
    client.on('error', () => {
      // Dropped: forget it; the next wait reconnects, polling covers the gap.
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      // Something may have been committed while we were not listening.
      this.version++;
      for (const w of [...this.waiters]) w();
    } catch {
      await client.end().catch(() => undefined);
    }
  }
}

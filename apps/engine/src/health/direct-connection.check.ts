// Readiness of the direct connection (LETHE_DIRECT_DATABASE_URL): leases and LISTEN live on it, so
// an instance that cannot open a session there cannot own a processor, even while pooled queries
// work. One long-lived session answers each check; a lost one is reopened by the next check.
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DATABASE, type Database } from '../infrastructure/database.js';

/** A check that takes longer than this counts as a lost connection. */
const CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class DirectConnectionCheck implements OnApplicationShutdown {
  private client: pg.Client | undefined;

  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Whether a session on the direct connection answers now. Never throws. */
  async alive(): Promise<boolean> {
    try {
      this.client ??= await this.connect();
      await this.client.query('select 1');
      return true;
    } catch {
      this.drop();
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      ...this.database.direct.client,
      connectionTimeoutMillis: CHECK_TIMEOUT_MS,
      query_timeout: CHECK_TIMEOUT_MS,
    });
    client.on('error', () => {
      if (this.client === client) this.drop();
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
  }
}

// RabbitMQ: a durable topic exchange, routing key = the event type, persistent messages whose
// message id is the event id. A delivery counts once the broker confirms it (publisher confirms).
// Reconnecting is amqp-connection-manager's: while the broker is away a publish waits up to
// `publishTimeoutMs`, then fails, and the dispatcher retries it later from PostgreSQL.
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { IntegrationEvent } from '../contract/integration-event.js';
import { DeliveryError, type Sink } from '../delivery/sink.js';

export const AMQP_SINK = 'amqp';
export const DEFAULT_AMQP_EXCHANGE = 'lethe.events';

export interface AmqpSinkOptions {
  readonly url: string;
  readonly exchange: string;
  readonly publishTimeoutMs?: number;
  /** Told when the connection comes and goes (never the URL: it holds credentials). */
  readonly onConnection?: (state: 'connected' | 'disconnected' | 'unreachable', detail?: string) => void;
}

export class AmqpSink implements Sink {
  readonly name = AMQP_SINK;
  readonly kind = 'amqp' as const;
  readonly types = 'all' as const;
  private readonly connection: AmqpConnectionManager;
  private readonly channel: ChannelWrapper;

  constructor(private readonly options: AmqpSinkOptions) {
    this.connection = amqp.connect([options.url], { heartbeatIntervalInSeconds: 10, reconnectTimeInSeconds: 2 });
    this.connection.on('connect', () => options.onConnection?.('connected'));
    this.connection.on('disconnect', ({ err }: { err?: Error }) => options.onConnection?.('disconnected', err?.message));
    // A broker that never answers would otherwise be silent: only the error's code, never the URL.
    this.connection.on('connectFailed', ({ err }: { err?: Error }) => options.onConnection?.('unreachable', (err as NodeJS.ErrnoException | undefined)?.code ?? err?.name));
    this.channel = this.connection.createChannel({
      name: 'lethe-outbound',
      confirm: true,
      publishTimeout: options.publishTimeoutMs ?? 10_000,
      setup: (channel: ConfirmChannel) => channel.assertExchange(options.exchange, 'topic', { durable: true }).then(() => undefined),
    });
  }

  async deliver(event: IntegrationEvent, body: string): Promise<void> {
    try {
      await this.channel.publish(this.options.exchange, event.type, Buffer.from(body), {
        persistent: true,
        messageId: event.id,
        type: event.type,
        contentType: 'application/json',
        timestamp: Math.floor(Date.parse(event.time) / 1000),
        headers: { 'lethe-tenant-id': event.tenantId, 'lethe-position': event.position, 'lethe-schema-version': event.schemaVersion },
      });
    } catch (error) {
      throw new DeliveryError(`RabbitMQ did not confirm the publish: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close();
  }
}

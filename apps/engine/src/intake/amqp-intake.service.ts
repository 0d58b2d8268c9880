// Consumes terminations and deletion requests from RabbitMQ on instances with the `api` role (the
// other way contract systems reach Lethe), when LETHE_INTAKE_AMQP_URL is set.
//
// At least once in, exactly once in effect: a message is acknowledged only after its event is stored
// (or its dead-lettered copy confirmed by the broker); a kill or a lost connection before that leaves
// it unacknowledged, the broker delivers it again, and the command appends nothing the second time.
// Each message is acknowledged on the channel that delivered it: after a reconnect an old delivery
// tag would name another message on the new channel. amqp-connection-manager reconnects; the pause
// before each attempt grows (backoff.ts) while the broker stays away.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '@lethe/clock';
import type { CrashHook } from '@lethe/lifecycle';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { brokerLabel, type IntakeConfig } from '../config/intake-config.js';
import { ROOT_LOGGER } from '../logging/tokens.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { ENGINE_METRICS } from '../metrics/fleet-reader.js';
import { backoffMs, pause } from './backoff.js';
import { deadLetterHeaders, type IntakeRejection } from './dead-letter.js';
import { handleIntakeMessage } from './handle-intake-message.js';
import { INTAKE_ROUTING_KEYS } from './intake-message.schema.js';

/** Nest injection token for the CrashHook the intake calls between storing and acknowledging (LETHE_CRASH_AT). */
export const INTAKE_CRASH_HOOK = Symbol('IntakeCrashHook');

/** The engine role whose instances consume the intake queue. */
export const INTAKE_ROLE = 'api';

@Injectable()
export class AmqpIntake implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private manager: AmqpConnectionManager | undefined;
  private channel: ChannelWrapper | undefined;
  private readonly stopping = new AbortController();
  private readonly logger: Logger;
  /** Connection attempts failed in a row; reset on connect. */
  private connectFailures = 0;
  /** Messages that failed in a row (the database away, most likely); reset on success. */
  private handleFailures = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ENGINE_METRICS) private readonly metrics: EngineMetrics,
    @Inject(INTAKE_CRASH_HOOK) private readonly crash: CrashHook,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
  ) {
    this.logger = rootLogger.child({ component: 'intake' });
  }

  get enabled(): boolean {
    return this.config.intake !== undefined && this.config.roles.has(INTAKE_ROLE);
  }

  onApplicationBootstrap(): void {
    const settings = this.config.intake;
    if (!settings || !this.enabled) return;
    const broker = brokerLabel(settings.url);
    const password = decodeURIComponent(new URL(settings.url).password);
    // The client's errors name hosts, not credentials; scrubbed all the same.
    const safe = (error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      return password ? text.split(password).join('[redacted]') : text;
    };
    this.manager = amqp.connect(null, {
      // Called before every attempt: the first at once, each after a failure later than the one before.
      findServers: async () => {
        await pause(backoffMs(this.connectFailures), this.stopping.signal);
        if (this.stopping.signal.aborted) throw new Error('the intake is stopping');
        return settings.url;
      },
      reconnectTimeInSeconds: 0.1,
      heartbeatIntervalInSeconds: 5,
    });
    this.manager.on('connect', () => {
      this.connectFailures = 0;
      this.logger.info({ broker, exchange: settings.exchange, queue: settings.queue }, 'intake connected to RabbitMQ');
    });
    this.manager.on('connectFailed', ({ err }) => {
      this.connectFailures++;
      if (!this.stopping.signal.aborted) this.logger.warn({ broker, error: safe(err), failures: this.connectFailures }, 'intake: RabbitMQ unreachable, retrying with backoff');
    });
    this.manager.on('disconnect', ({ err }) => {
      if (!this.stopping.signal.aborted) this.logger.warn({ broker, error: safe(err) }, 'intake: connection to RabbitMQ lost, reconnecting');
    });
    this.channel = this.manager.createChannel({ name: 'intake', confirm: true, setup: (channel: ConfirmChannel) => this.setup(channel, settings) });
    this.channel.on('error', (err: unknown) => this.logger.warn({ broker, error: safe(err) }, 'intake: channel setup failed, retrying'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    // The message in hand is finished (or left unacknowledged, for the broker to deliver again).
    await Promise.all(this.inFlight);
    await this.channel?.close().catch(() => undefined);
    await this.manager?.close().catch(() => undefined);
  }

  /** Run on every (re)opened channel: the topology, then the consumer on this very channel. */
  private async setup(channel: ConfirmChannel, settings: IntakeConfig): Promise<void> {
    await channel.assertExchange(settings.exchange, 'topic', { durable: true });
    await channel.assertQueue(settings.deadLetterQueue, { durable: true });
    await channel.assertQueue(settings.queue, { durable: true });
    for (const key of INTAKE_ROUTING_KEYS) await channel.bindQueue(settings.queue, settings.exchange, key);
    // One at a time: messages are decided in the order the queue holds them.
    await channel.prefetch(1);
    await channel.consume(settings.queue, (message) => {
      if (!message) return;
      const handled = this.receive(channel, message, settings).finally(() => this.inFlight.delete(handled));
      this.inFlight.add(handled);
    });
  }

  private async receive(channel: ConfirmChannel, message: ConsumeMessage, settings: IntakeConfig): Promise<void> {
    if (this.stopping.signal.aborted) return; // left unacknowledged: delivered again to a running instance
    const { routingKey, exchange } = message.fields;
    let outcome;
    try {
      outcome = await handleIntakeMessage(this.commands, this.clock, routingKey, message.content);
    } catch (error) {
      this.handleFailures++;
      const kind = kindLabel(routingKey);
      this.metrics.intakeMessages.inc({ kind, outcome: 'retried' });
      this.logger.warn({ kind, error: error instanceof Error ? error.message : String(error), failures: this.handleFailures }, 'intake: message not handled, retrying with backoff');
      await pause(backoffMs(this.handleFailures), this.stopping.signal);
      settle(() => channel.nack(message, false, true));
      return;
    }
    this.handleFailures = 0;
    if (outcome.outcome !== 'processed') {
      try {
        await deadLetter(channel, settings.deadLetterQueue, message, outcome.rejection);
      } catch (error) {
        // Not confirmed: not acknowledged either; the broker delivers it again.
        this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'intake: dead-letter copy not confirmed, the message stays queued');
        return;
      }
      this.logger.warn(
        { kind: outcome.kind ?? 'unknown', code: outcome.rejection.code, field: outcome.rejection.errors[0]?.field, rule: outcome.rejection.errors[0]?.rule, exchange, routingKey },
        'intake: message dead-lettered',
      );
    } else {
      this.crash('intake:recorded');
    }
    settle(() => channel.ack(message));
    this.metrics.intakeMessages.inc({ kind: outcome.kind ?? 'unknown', outcome: outcome.outcome });
  }
}

/** The message's copy in the dead-letter queue, its properties kept, the rejection in its headers; resolves once the broker confirms it. */
function deadLetter(channel: ConfirmChannel, queue: string, message: ConsumeMessage, rejection: IntakeRejection): Promise<void> {
  const { properties, fields } = message;
  const headers = deadLetterHeaders({ exchange: fields.exchange, routingKey: fields.routingKey, headers: properties.headers }, rejection);
  return new Promise((resolve, reject) => {
    channel.sendToQueue(
      queue,
      message.content,
      {
        persistent: true,
        headers,
        ...(properties.contentType ? { contentType: properties.contentType } : {}),
        ...(properties.messageId ? { messageId: properties.messageId } : {}),
        ...(properties.correlationId ? { correlationId: properties.correlationId } : {}),
        ...(properties.timestamp ? { timestamp: properties.timestamp } : {}),
        ...(properties.appId ? { appId: properties.appId } : {}),
      },
      (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
    );
  });
}

/** An ack or nack on a channel that has closed since: nothing to do, the broker delivers the message again. */
function settle(send: () => void): void {
  try {
    send();
  } catch {
    // IllegalOperationError: channel closed.
  }
}

function kindLabel(routingKey: string): 'termination' | 'deletion-request' | 'unknown' {
  if (routingKey === INTAKE_ROUTING_KEYS[0]) return 'termination';
  if (routingKey === INTAKE_ROUTING_KEYS[1]) return 'deletion-request';
  return 'unknown';
}

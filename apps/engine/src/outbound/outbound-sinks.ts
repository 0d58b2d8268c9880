// The sinks LETHE_OUTBOUND_AMQP_URL and LETHE_WEBHOOKS configure: their subscriptions (which the
// outbox processor writes delivery rows for) and, on an instance that delivers, the sinks themselves.
import type { Logger } from 'pino';
import { AMQP_SINK, AmqpSink, WebhookSink, webhookSinkName, type Sink, type SinkSubscription } from '@lethe/outbound';
import type { OutboundConfig } from '../config/outbound-config.js';

export function sinkSubscriptions(config: OutboundConfig): SinkSubscription[] {
  return [
    ...(config.amqp ? [{ name: AMQP_SINK, kind: 'amqp' as const, types: 'all' as const }] : []),
    ...config.webhooks.map((w) => ({ name: webhookSinkName(w.name), kind: 'webhook' as const, types: w.types })),
  ];
}

export function createSinks(config: OutboundConfig, logger: Logger): Sink[] {
  const sinks: Sink[] = [];
  if (config.amqp) {
    sinks.push(
      new AmqpSink({
        ...config.amqp,
        onConnection: (state, detail) =>
          state === 'connected'
            ? logger.info({ sink: AMQP_SINK, exchange: config.amqp?.exchange }, 'outbound RabbitMQ connected')
            : state === 'unreachable'
              ? logger.warn({ sink: AMQP_SINK, err: detail }, 'outbound RabbitMQ unreachable; retrying')
              : logger.warn({ sink: AMQP_SINK, err: detail }, 'outbound RabbitMQ disconnected; reconnecting'),
      }),
    );
  }
  for (const endpoint of config.webhooks) sinks.push(new WebhookSink(endpoint));
  return sinks;
}

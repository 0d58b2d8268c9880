// This machine's RabbitMQ (127.0.0.1:5672, guest/guest), for the tests that publish to it: they
// skip, saying what to start, where none answers. A consumer here binds its own exclusive queue.
import net from 'node:net';
import amqplib from 'amqplib';

export const RABBITMQ_URL = process.env.LETHE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const broker = new URL(RABBITMQ_URL);
export const RABBITMQ_HINT = `no RabbitMQ answers at ${broker.hostname}:${broker.port || 5672}: install and start it (apt-get install rabbitmq-server && service rabbitmq-server start, or docker run -p 5672:5672 rabbitmq:3), or point LETHE_TEST_AMQP_URL at one (amqp://user:password@host:port)`;

/** True when something accepts a TCP connection at RabbitMQ's address within a second. */
export async function rabbitMqAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(broker.port || 5672), broker.hostname);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface ReceivedMessage {
  readonly routingKey: string;
  readonly messageId: string | undefined;
  readonly body: Record<string, unknown>;
}

/** An exclusive queue bound to `exchange` for every routing key; `received` grows as messages arrive. */
export async function consumeExchange(exchange: string): Promise<{ received: ReceivedMessage[]; close(): Promise<void> }> {
  const connection = await amqplib.connect(RABBITMQ_URL);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, '#');
  const received: ReceivedMessage[] = [];
  await channel.consume(queue, (msg) => {
    if (!msg) return;
    received.push({ routingKey: msg.fields.routingKey, messageId: msg.properties.messageId as string | undefined, body: JSON.parse(msg.content.toString('utf8')) });
    channel.ack(msg);
  });
  return {
    received,
    close: async () => {
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

/** Removes a test's exchange. */
export async function deleteExchange(exchange: string): Promise<void> {
  const connection = await amqplib.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteExchange(exchange);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

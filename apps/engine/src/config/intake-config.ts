// LETHE_INTAKE_AMQP_*: terminations and deletion requests consumed from RabbitMQ (apps/engine/src/intake).
// Unset URL: no intake. The names of the exchange and queues are what contract systems and operators
// rely on, so the defaults are fixed here and documented in the README.
import { z } from 'zod';

export const DEFAULT_INTAKE_EXCHANGE = 'lethe.contracts';
export const DEFAULT_INTAKE_QUEUE = 'lethe.intake';
export const DEFAULT_INTAKE_DEAD_LETTER_QUEUE = 'lethe.intake.dead';

export interface IntakeConfig {
  /** The broker's amqp:// or amqps:// URL, credentials included: never logged (brokerLabel shows it without them). */
  readonly url: string;
  /** A durable topic exchange, asserted at connection. */
  readonly exchange: string;
  readonly queue: string;
  readonly deadLetterQueue: string;
}

const URL_RULE = 'must be an amqp:// or amqps:// URL, e.g. amqp://user:password@rabbitmq:5672/vhost';
// AMQP 0-9-1 short strings: at most 255 bytes. The `amq.` prefix is reserved by the broker.
const NAME_RULE = 'must be 1-255 letters, digits or . _ - : and not start with amq.';
const isName = (v: string) => /^[A-Za-z0-9._:-]{1,255}$/.test(v) && !v.startsWith('amq.');

function isAmqpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'amqp:' || url.protocol === 'amqps:') && url.hostname !== '' && !url.hash;
  } catch {
    return false;
  }
}

const name = () => z.string().trim().refine(isName, { message: NAME_RULE }).optional();

/** The environment variables of the intake, as the engine's config schema reads them. */
export const intakeEnvShape = {
  LETHE_INTAKE_AMQP_URL: z.string().trim().refine(isAmqpUrl, { message: URL_RULE }).optional(),
  LETHE_INTAKE_AMQP_EXCHANGE: name(),
  LETHE_INTAKE_AMQP_QUEUE: name(),
  LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE: name(),
};

type IntakeEnv = z.infer<z.ZodObject<typeof intakeEnvShape>>;

/**
 * The intake's configuration, or undefined when LETHE_INTAKE_AMQP_URL is unset. Problems (setting: rule,
 * never a value) go to `problems`: names without a URL (silently ignored otherwise), one queue for both.
 */
export function readIntakeConfig(env: IntakeEnv, problems: string[]): IntakeConfig | undefined {
  const names = ['LETHE_INTAKE_AMQP_EXCHANGE', 'LETHE_INTAKE_AMQP_QUEUE', 'LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE'] as const;
  if (env.LETHE_INTAKE_AMQP_URL === undefined) {
    for (const n of names) if (env[n] !== undefined) problems.push(`${n}: only applies with LETHE_INTAKE_AMQP_URL`);
    return undefined;
  }
  const queue = env.LETHE_INTAKE_AMQP_QUEUE ?? DEFAULT_INTAKE_QUEUE;
  const deadLetterQueue = env.LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE ?? DEFAULT_INTAKE_DEAD_LETTER_QUEUE;
  if (queue === deadLetterQueue) problems.push('LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE: must differ from LETHE_INTAKE_AMQP_QUEUE');
  return { url: env.LETHE_INTAKE_AMQP_URL, exchange: env.LETHE_INTAKE_AMQP_EXCHANGE ?? DEFAULT_INTAKE_EXCHANGE, queue, deadLetterQueue };
}

/** The broker as logs may show it: scheme, host, port and vhost, never the user or password. */
export function brokerLabel(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === '' ? '/' : u.pathname}`;
}

// The outbound sinks (docs/events.md): RabbitMQ (LETHE_OUTBOUND_AMQP_URL, LETHE_OUTBOUND_AMQP_EXCHANGE),
// webhooks (LETHE_WEBHOOKS), and how long a failing delivery is retried. Problems name the setting,
// the entry and the rule, never a URL (it may carry credentials) or a secret.
import { z } from 'zod';
import { validate } from '@lethe/domain';
import { DEFAULT_AMQP_EXCHANGE, DEFAULT_RETRY_POLICY, INTEGRATION_EVENT_TYPES, type IntegrationEventType, type RetryPolicy, type WebhookEndpoint } from '@lethe/outbound';
import { carriesCredentials, NO_URL_CREDENTIALS_RULE } from './url-credentials.js';

export interface OutboundConfig {
  readonly amqp: { readonly url: string; readonly exchange: string } | undefined;
  readonly webhooks: readonly WebhookEndpoint[];
  readonly retry: RetryPolicy;
  /** Days a fully delivered integration event stays in the outbox for replays (outbox-pruning.ts). */
  readonly retentionDays: number;
}

/** How long (days) a delivered integration event stays replayable by default. */
export const DEFAULT_OUTBOX_RETENTION_DAYS = 30;

const whole = (min: number, max: number, unit: string) => {
  const message = `must be a whole number of ${unit} from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { message })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message });
};

export const outboundEnvShape = {
  LETHE_OUTBOUND_AMQP_URL: z
    .string()
    .trim()
    .refine(isAmqpUrl, { message: 'must be an amqp:// or amqps:// URL, e.g. amqp://user:password@rabbitmq:5672/vhost' })
    .optional(),
  LETHE_OUTBOUND_AMQP_EXCHANGE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._:-]{1,127}$/, { message: 'must be 1-127 letters, digits or . _ : - (a RabbitMQ exchange name)' })
    .default(DEFAULT_AMQP_EXCHANGE),
  LETHE_WEBHOOKS: z.string().optional(),
  LETHE_WEBHOOKS_ALLOW_HTTP: z
    .enum(['true', 'false'], { message: "must be 'true' or 'false'" })
    .transform((v) => v === 'true')
    .default(false),
  LETHE_OUTBOUND_RETRY_BASE_MS: whole(100, 3_600_000, 'milliseconds').default(DEFAULT_RETRY_POLICY.baseMs),
  LETHE_OUTBOUND_RETRY_MAX_MS: whole(100, 86_400_000, 'milliseconds').default(DEFAULT_RETRY_POLICY.maxMs),
  LETHE_OUTBOUND_MAX_ATTEMPTS: whole(1, 1000, 'attempts').default(DEFAULT_RETRY_POLICY.maxAttempts),
  LETHE_OUTBOUND_RETENTION_DAYS: whole(1, 3650, 'days').default(DEFAULT_OUTBOX_RETENTION_DAYS),
};

type OutboundEnv = z.infer<z.ZodObject<typeof outboundEnvShape>>;

function isAmqpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'amqp:' || url.protocol === 'amqps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const WEBHOOKS_RULE = 'must be a JSON list of {"name", "url", "secret", "types"?} entries';
const NAME_RULE = 'must be 1-40 lowercase letters, digits or hyphens, starting with a letter or digit';
const URL_RULE = 'must be an https:// URL';
const SECRET_RULE = 'must be 32-256 printable ASCII characters, no spaces';
const TYPES_RULE = `must be a non-empty list of integration event types (${INTEGRATION_EVENT_TYPES.join(', ')}); omitted: all`;

const webhookSchema = z.strictObject(
  {
    name: z.string({ message: NAME_RULE }).regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: NAME_RULE }),
    url: z.string({ message: URL_RULE }),
    secret: z.string({ message: SECRET_RULE }).regex(/^[\x21-\x7e]{32,256}$/, { message: SECRET_RULE }),
    types: z.array(z.enum(INTEGRATION_EVENT_TYPES), { message: TYPES_RULE }).min(1, { message: TYPES_RULE }).optional(),
  },
  { message: 'must be an object {"name", "url", "secret", "types"?}' },
);

/** LETHE_WEBHOOKS: each entry checked, problems naming the entry by number and field. */
function parseWebhooks(value: string | undefined, allowHttp: boolean, problems: string[]): WebhookEndpoint[] {
  if (value === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    problems.push(`LETHE_WEBHOOKS: ${WEBHOOKS_RULE}; it is not JSON`);
    return [];
  }
  if (!Array.isArray(json)) {
    problems.push(`LETHE_WEBHOOKS: ${WEBHOOKS_RULE}; it is not a list`);
    return [];
  }
  const endpoints: WebhookEndpoint[] = [];
  json.forEach((entry, index) => {
    const parsed = validate(webhookSchema, entry, '', 'entry');
    if (!parsed.ok) {
      // Each field with its own rule (a types element is named by the list: its rule says what is allowed).
      const named = parsed.errors.map((e) => ({ field: e.field.replace(/^types\[\d+\]$/, 'types'), rule: e.field.startsWith('types[') ? TYPES_RULE : e.rule }));
      const unique = [...new Map(named.map((e) => [`${e.field} ${e.rule}`, e])).values()];
      for (const e of unique) problems.push(`LETHE_WEBHOOKS: entry ${index + 1} (${e.field}) ${e.rule}`);
      return;
    }
    const { name, url, secret, types } = parsed.value;
    const parsedUrl = URL.canParse(url) ? new URL(url) : undefined;
    const protocol = parsedUrl?.protocol;
    if (protocol !== 'https:' && !(allowHttp && protocol === 'http:')) {
      const hint = protocol === 'http:' ? ' (LETHE_WEBHOOKS_ALLOW_HTTP=true allows http:// for tests)' : '';
      problems.push(`LETHE_WEBHOOKS: entry ${index + 1} (url) ${URL_RULE}${hint}`);
      return;
    }
    if (parsedUrl && carriesCredentials(parsedUrl)) {
      problems.push(`LETHE_WEBHOOKS: entry ${index + 1} (url) ${NO_URL_CREDENTIALS_RULE}; the receiver authenticates Lethe by the entry's secret, which signs every request (Lethe-Signature)`);
      return;
    }
    if (endpoints.some((e) => e.name === name)) {
      problems.push(`LETHE_WEBHOOKS: entry ${index + 1} (name) must be unique; ${name} is named twice`);
      return;
    }
    endpoints.push({ name, url, secret, types: types ? ([...new Set(types)] as IntegrationEventType[]) : 'all' });
  });
  return endpoints;
}

/**
 * The outbound settings; what is wrong goes to `problems`. `present`: the variables as set (before
 * defaults), so that an exchange named without a URL is refused like the intake's, not silently ignored.
 */
export function readOutboundConfig(env: OutboundEnv, problems: string[], present: Readonly<Record<string, string | undefined>> = {}): OutboundConfig {
  if (env.LETHE_OUTBOUND_AMQP_URL === undefined && present.LETHE_OUTBOUND_AMQP_EXCHANGE !== undefined) {
    problems.push('LETHE_OUTBOUND_AMQP_EXCHANGE: only applies with LETHE_OUTBOUND_AMQP_URL');
  }
  const webhooks = parseWebhooks(env.LETHE_WEBHOOKS, env.LETHE_WEBHOOKS_ALLOW_HTTP, problems);
  if (env.LETHE_OUTBOUND_RETRY_MAX_MS < env.LETHE_OUTBOUND_RETRY_BASE_MS) {
    problems.push('LETHE_OUTBOUND_RETRY_MAX_MS: must be at least LETHE_OUTBOUND_RETRY_BASE_MS');
  }
  return {
    amqp: env.LETHE_OUTBOUND_AMQP_URL === undefined ? undefined : { url: env.LETHE_OUTBOUND_AMQP_URL, exchange: env.LETHE_OUTBOUND_AMQP_EXCHANGE },
    webhooks,
    retry: { baseMs: env.LETHE_OUTBOUND_RETRY_BASE_MS, maxMs: env.LETHE_OUTBOUND_RETRY_MAX_MS, maxAttempts: env.LETHE_OUTBOUND_MAX_ATTEMPTS },
    retentionDays: env.LETHE_OUTBOUND_RETENTION_DAYS,
  };
}

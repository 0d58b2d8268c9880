// Structured JSON logs. Besides pino's path redaction of request headers, every logged object is
// walked and any field named like a key, secret, token or password is replaced, however deep, and so
// is the value of any query parameter named like one in a URL inside a logged string.
import pino, { type Logger } from 'pino';
import { redactUrlsIn } from './url-redaction.js';

// `masterKey`, `dataKey`, `api_key` are redacted; `keyVersionId` is an identifier and is not.
const SENSITIVE_NAME = /(key|keys|material)$|secret|token|password|passphrase|authorization|cookie|credential|private/i;
/** Names the rule above would hide that name no secret: a broker's routing key says where a message went. */
const NOT_SENSITIVE = new Set(['routingKey', 'routingKeys']);
const CENSOR = '[redacted]';

export function redactDeep(value: unknown, depth = 0): unknown {
  // A URL anywhere (a request's, an error message quoting one) keeps its sensitive query values out.
  if (typeof value === 'string') return redactUrlsIn(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: redactUrlsIn(value.message) };
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  // Requests, responses and other class instances are left to pino's serializers (which only
  // pick known fields; the header paths above are redacted there).
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_NAME.test(k) && !NOT_SENSITIVE.has(k) ? CENSOR : redactDeep(v, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lethe-engine' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
        censor: CENSOR,
      },
      formatters: {
        log: (object) => redactDeep(object) as Record<string, unknown>,
      },
    },
    destination,
  );
}

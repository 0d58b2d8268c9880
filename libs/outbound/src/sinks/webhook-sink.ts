// A webhook endpoint: an HTTPS POST of the event's JSON, signed (webhook-signature.ts). Any 2xx
// answer delivers it; anything else, a timeout or no answer fails the attempt, which the dispatcher
// retries with backoff. Errors name the status or the network failure only: never the URL (it may
// carry a token), the secret, or the answer's body.
import type { IntegrationEvent, IntegrationEventType } from '../contract/integration-event.js';
import { DeliveryError, type Sink } from '../delivery/sink.js';
import { SIGNATURE_HEADER, signWebhook } from '../webhooks/webhook-signature.js';

export interface WebhookEndpoint {
  /** Names the sink (`webhook:<name>`) in delivery rows, logs and the ops routes. */
  readonly name: string;
  readonly url: string;
  /** The shared secret of the HMAC. Never logged. */
  readonly secret: string;
  readonly types: 'all' | readonly IntegrationEventType[];
}

export const webhookSinkName = (name: string) => `webhook:${name}`;

export class WebhookSink implements Sink {
  readonly name: string;
  readonly kind = 'webhook' as const;
  readonly types: 'all' | readonly IntegrationEventType[];

  constructor(
    private readonly endpoint: WebhookEndpoint,
    private readonly options: { readonly timeoutMs?: number; readonly now?: () => number } = {},
  ) {
    this.name = webhookSinkName(endpoint.name);
    this.types = endpoint.types;
  }

  async deliver(event: IntegrationEvent, body: string): Promise<void> {
    const timestamp = Math.floor((this.options.now ?? Date.now)() / 1000);
    let status: number;
    try {
      const response = await fetch(this.endpoint.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'lethe-webhooks/1',
          'lethe-event-id': event.id,
          'lethe-event-type': event.type,
          [SIGNATURE_HEADER.toLowerCase()]: signWebhook(this.endpoint.secret, timestamp, body),
        },
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
    } catch (error) {
      throw new DeliveryError(`no answer: ${networkFailure(error)}`);
    }
    if (status < 200 || status > 299) throw new DeliveryError(`answered HTTP ${status}`);
  }

  async close(): Promise<void> {}
}

function networkFailure(error: unknown): string {
  const e = error as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  return e.cause?.code ?? e.name ?? 'failed';
}

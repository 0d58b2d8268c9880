// The answers of /v1/outbound (docs/events.md, Operations): dead deliveries and replays.
import { z } from 'zod';
import type { AnswerOf } from '../../http/index.js';

export const deadLettersAnswer = z.strictObject({
  deadLetters: z.array(
    z.strictObject({
      sink: z.string(),
      eventId: z.string(),
      type: z.string(),
      tenantId: z.string(),
      position: z.string(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      deadAt: z.string().describe('ISO 8601 instant, UTC'),
    }),
  ),
});
export type DeadLettersAnswer = AnswerOf<typeof deadLettersAnswer>;

export const replayAnswer = z.strictObject({ sink: z.string(), tenantId: z.string(), fromPosition: z.string(), queued: z.number().int() });
export type ReplayAnswer = AnswerOf<typeof replayAnswer>;

export const EXAMPLES = {
  deadLetters: {
    deadLetters: [
      {
        sink: 'webhook:ticketing',
        eventId: '5d1f7c2a-93b0-8e4f-a1c2-3b4d5e6f7a8b',
        type: 'key.reprotection-overdue',
        tenantId: 'acme',
        position: '120731',
        attempts: 20,
        lastError: 'answered HTTP 503',
        deadAt: '2026-12-21T21:14:03.000Z',
      },
    ],
  },
  replay: { sink: 'webhook:ticketing', tenantId: 'acme', fromPosition: '120731', queued: 4 },
} as const;

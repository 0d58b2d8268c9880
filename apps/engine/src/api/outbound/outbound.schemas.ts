import { MAX_LOG_POSITION, parseLogPosition } from '@lethe/eventstore';
import { z } from 'zod';
import { idSchema } from '../tenant.schemas.js';
import { wholeNumberQueryField } from '../whole-number.schema.js';

const SINK_RULE = "must name a configured sink: 'amqp' or 'webhook:<name>'";
export const sinkNameSchema = z.string({ message: SINK_RULE }).regex(/^(amqp|webhook:[a-z0-9][a-z0-9-]{0,39})$/, { message: SINK_RULE });

export const deadLettersQuery = z.strictObject({
  sink: sinkNameSchema.optional(),
  tenantId: idSchema.optional(),
  limit: wholeNumberQueryField({ min: 1, max: 1000, fallback: 100, rule: 'must be a whole number from 1 to 1000' }),
});

const POSITION_RULE = `must be a log position: a whole number from 1 to ${MAX_LOG_POSITION}, as a JSON number or a string of decimal digits`;
export const replayBodySchema = z.strictObject({
  sink: sinkNameSchema,
  tenantId: idSchema,
  // A string carries any position exactly; a JSON number is taken while it is an exact integer.
  fromPosition: z
    .preprocess((v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v), z.string({ message: POSITION_RULE }).refine((v) => parseLogPosition(v, 1n) !== undefined, { message: POSITION_RULE }))
    .transform((v) => BigInt(v)),
});

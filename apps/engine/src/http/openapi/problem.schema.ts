// The problem+json body (RFC 9457) every 4xx and 5xx answer has, as the OpenAPI document states it.
import { z } from 'zod';

export const problemSchema = z.looseObject({
  type: z.string().describe('`about:blank` or a `urn:lethe:problem:<code>` URN: compare it, do not fetch it'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe('For a person; never holds a secret or a value sent'),
  instance: z.string().optional().describe('The request path'),
  code: z.string().regex(/^[a-z0-9-]+$/).describe('Stable, what a client branches on: a Lethe problem name (`tenant-exists`), else the HTTP status in kebab case (`not-found`)'),
  errors: z
    .array(z.strictObject({ field: z.string().describe('Path of the bad field: `databases[0].databaseId`, `(body)`, `limit`'), rule: z.string().describe('The rule it breaks') }))
    .optional()
    .describe('On a 400: each bad field and the rule it breaks'),
});

export type ProblemBody = z.infer<typeof problemSchema>;

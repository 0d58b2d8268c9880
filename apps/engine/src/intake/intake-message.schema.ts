// The messages the intake consumes: the bodies of POST /v1/tenants/{id}/terminations and
// /deletion-requests with the tenant named inside and a `schemaVersion`, checked by the very schemas
// HTTP uses (and, for a termination, the contract stream too): every way in is checked the same.
// The routing key says which message it is.
import { z } from 'zod';
import { validate, type FieldError } from '@lethe/domain';
import { MAX_BODY_BYTES } from '../http/index.js';
import { deletionRequestSchema, idSchema, terminationSchema } from '../api/tenant.schemas.js';

/** The version of the message bodies below. A new version is added beside it, never changed in place. */
export const INTAKE_SCHEMA_VERSION = 1;

export const TERMINATION_ROUTING_KEY = 'contract.terminated';
export const DELETION_REQUEST_ROUTING_KEY = 'tenant.deletion-requested';
export const INTAKE_ROUTING_KEYS = [TERMINATION_ROUTING_KEY, DELETION_REQUEST_ROUTING_KEY] as const;

export const INTAKE_MESSAGE_KINDS = ['termination', 'deletion-request'] as const;
export type IntakeMessageKind = (typeof INTAKE_MESSAGE_KINDS)[number];

const envelope = {
  schemaVersion: z.literal(INTAKE_SCHEMA_VERSION, { message: `must be ${INTAKE_SCHEMA_VERSION} (the message schema version)` }),
  tenantId: idSchema,
};

export const terminationMessageSchema = (now: Date) => terminationSchema(now).extend(envelope);
export const deletionRequestMessageSchema = (now: Date) => deletionRequestSchema(now).extend(envelope);

export type TerminationMessage = z.output<ReturnType<typeof terminationMessageSchema>>;
export type DeletionRequestMessage = z.output<ReturnType<typeof deletionRequestMessageSchema>>;

export type IntakeMessage =
  | { readonly kind: 'termination'; readonly body: TerminationMessage }
  | { readonly kind: 'deletion-request'; readonly body: DeletionRequestMessage };

export type ParsedIntakeMessage =
  | { readonly ok: true; readonly message: IntakeMessage }
  | { readonly ok: false; readonly kind: IntakeMessageKind | undefined; readonly errors: readonly FieldError[] };

const KIND_OF: Readonly<Record<string, IntakeMessageKind>> = {
  [TERMINATION_ROUTING_KEY]: 'termination',
  [DELETION_REQUEST_ROUTING_KEY]: 'deletion-request',
};

/** A delivered message checked against its schema at `now` (the engine's clock): the message, or each bad field and its rule. */
export function parseIntakeMessage(routingKey: string, content: Buffer, now: Date): ParsedIntakeMessage {
  const kind = Object.hasOwn(KIND_OF, routingKey) ? KIND_OF[routingKey] : undefined;
  const refuse = (field: string, rule: string): ParsedIntakeMessage => ({ ok: false, kind, errors: [{ field, rule }] });
  if (kind === undefined) return refuse('(routing key)', `must be ${INTAKE_ROUTING_KEYS.join(' or ')}`);
  if (content.length > MAX_BODY_BYTES) return refuse('(body)', `must be at most ${MAX_BODY_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
  } catch {
    return refuse('(body)', 'must be a JSON object in UTF-8');
  }
  if (kind === 'termination') {
    const checked = validate(terminationMessageSchema(now), json);
    return checked.ok ? { ok: true, message: { kind, body: checked.value } } : { ok: false, kind, errors: checked.errors };
  }
  const checked = validate(deletionRequestMessageSchema(now), json);
  return checked.ok ? { ok: true, message: { kind, body: checked.value } } : { ok: false, kind, errors: checked.errors };
}

// Why a message went to the dead-letter queue, said in headers of the copy put there: the rejection's
// code, the first bad field and its rule (the API's words), and every field error as JSON. Never the
// message's values: they stay in its body, where they were.
import type { FieldError } from '@lethe/domain';

export const REJECTION_HEADERS = {
  code: 'x-lethe-rejected-code',
  field: 'x-lethe-rejected-field',
  rule: 'x-lethe-rejected-rule',
  errors: 'x-lethe-rejected-errors',
  exchange: 'x-lethe-original-exchange',
  routingKey: 'x-lethe-original-routing-key',
} as const;

/**
 * `invalid`: the message breaks its schema; `tenant-not-found`: it names no onboarded tenant; any other
 * code is the domain's refusal (as the HTTP route would answer 409 with that code).
 */
export interface IntakeRejection {
  readonly code: string;
  readonly errors: readonly FieldError[];
}

export interface DeliveredFrom {
  readonly exchange: string;
  readonly routingKey: string;
  readonly headers: Readonly<Record<string, unknown>> | undefined;
}

/** The headers of the dead-lettered copy: the original's, then the rejection's. */
export function deadLetterHeaders(from: DeliveredFrom, rejection: IntakeRejection): Record<string, unknown> {
  const first = rejection.errors[0];
  return {
    ...(from.headers ?? {}),
    [REJECTION_HEADERS.code]: rejection.code,
    ...(first ? { [REJECTION_HEADERS.field]: first.field, [REJECTION_HEADERS.rule]: first.rule } : {}),
    [REJECTION_HEADERS.errors]: JSON.stringify(rejection.errors),
    [REJECTION_HEADERS.exchange]: from.exchange,
    [REJECTION_HEADERS.routingKey]: from.routingKey,
  };
}

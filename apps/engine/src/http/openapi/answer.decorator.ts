// What a route answers, for the OpenAPI document: `@Answer(201, tenantAnswer, example)` for each
// success status (the schema the presenter is typed with), `@Problems(404, 409)` for the problems the
// route itself can answer. 400, 401, 403, 413 and 415 follow from the route's inputs and roles and are
// added when the document is built (openapi-document.ts).
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { statusText } from '../problem/problem.js';
import { openApiSchema } from './openapi-schema.js';

export const PROBLEM_SCHEMA_REF = '#/components/schemas/Problem';

/** Problem statuses a route declares itself; the others are derived (see openapi-document.ts). */
export type DeclaredProblem = 404 | 409 | 503;

const PROBLEM_DESCRIPTIONS: Readonly<Record<DeclaredProblem, string>> = {
  404: 'Not found (`not-found`, or the domain\'s code: `tenant-not-found`, `backup-not-found`, …)',
  409: 'Conflict: the request breaks a rule of the stored state (its `code` names which); nothing was stored',
  503: 'Unavailable: not ready (a check failed; the body names each), or a dependency such as the key vault did not answer (`vault-unavailable`: nothing was stored; retry after `Retry-After` seconds)',
};

/** A success answer: its JSON schema (from the zod schema its presenter is typed with) and an example. */
export function Answer(status: number, schema: z.ZodType, example: unknown, description: string = statusText(status)): MethodDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema: openApiSchema(schema, 'output'), example } } });
}

/** The problems this route answers beyond those derived from its inputs and roles. */
export function Problems(...statuses: DeclaredProblem[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: PROBLEM_DESCRIPTIONS[status], content: { 'application/problem+json': { schema: { $ref: PROBLEM_SCHEMA_REF } } } }),
    ),
  );
}

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** What a presenter returns for an answer schema: its output, read-only so domain values fit as they are. */
export type AnswerOf<S extends z.ZodType> = DeepReadonly<z.output<S>>;

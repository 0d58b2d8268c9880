// zod schemas as OpenAPI 3.0 schema objects: the same schemas validate requests and, for answers,
// type the presenters, so the description cannot drift from what the engine does.
import { z } from 'zod';

/** An OpenAPI 3.0 schema object (plain JSON). */
export type OpenApiSchemaObject = Record<string, unknown>;

/**
 * `schema` as an OpenAPI 3.0 schema. `io: 'input'` describes what a caller sends (defaults are
 * optional), `'output'` what the engine answers. Refinements JSON Schema cannot state (a jurisdiction
 * date-holidays knows, an instant's bounds) are left out; their rules are in the field descriptions
 * and in the 400 a caller gets.
 */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): OpenApiSchemaObject {
  const json = z.toJSONSchema(schema, { io, target: 'openapi-3.0', unrepresentable: 'any' }) as OpenApiSchemaObject;
  delete json.$schema;
  return json;
}

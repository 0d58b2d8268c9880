// Validation of request input with zod, before the handler runs (so nothing is stored on a 400).
// Use the decorators: `@ZodBody(schema) body: T`, `@ZodParam('tenantId', schema) tenantId: string`,
// `@ZodQuery(schema) query: Q`; or `new ZodValidationPipe(schema)` with Nest's own @Body/@Param.
// Each decorator also takes `(now) => schema`: a schema whose rules depend on the time (an instant at
// most N years ahead), built per request from the engine's clock (CLOCK must be provided).
import { Body, Inject, Injectable, Param, Query, type ArgumentMetadata, type PipeTransform, type Type } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import type { z } from 'zod';
import { CLOCK, type Clock } from '@lethe/clock';
import { openApiSchema, type OpenApiSchemaObject } from '../openapi/openapi-schema.js';
import { ProblemException } from '../problem/problem.js';
import { fieldErrors, plainErrorMap } from '@lethe/domain';
import { declareInput } from './declared-input.js';

export type InputLocation = 'body' | 'query' | 'param' | 'header' | 'custom';

export interface InputSource {
  readonly location: InputLocation;
  /** The parameter's name when the value is one parameter (`tenantId`), not a whole object. */
  readonly name?: string;
}

function describe(source: InputSource): { detail: string; root: string } {
  const named = source.name !== undefined && source.name !== '';
  switch (source.location) {
    case 'body':
      return { detail: named ? `The request body field ${source.name} is not valid.` : 'The request body is not valid.', root: '(body)' };
    case 'param':
      return { detail: named ? `The path parameter ${source.name} is not valid.` : 'The path parameters are not valid.', root: '(path)' };
    case 'query':
      return { detail: named ? `The query parameter ${source.name} is not valid.` : 'The query parameters are not valid.', root: '(query)' };
    case 'header':
      return { detail: named ? `The ${source.name} header is not valid.` : 'The request headers are not valid.', root: '(headers)' };
    default:
      return { detail: 'The request is not valid.', root: '(input)' };
  }
}

/**
 * Parses `value` with `schema`, or throws a 400 problem+json whose `errors` name each bad field.
 * Usable outside pipes too, e.g. for a value a handler reads itself.
 */
export async function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, source: InputSource): Promise<z.output<S>> {
  const result = await schema.safeParseAsync(value, { error: plainErrorMap });
  if (result.success) return result.data;
  const { detail, root } = describe(source);
  throw ProblemException.badRequest(detail, fieldErrors(result.error.issues, source.name ?? '', root));
}

export class ZodValidationPipe<S extends z.ZodType = z.ZodType> implements PipeTransform<unknown, Promise<z.output<S>>> {
  constructor(
    private readonly schema: S,
    private readonly name?: string,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): Promise<z.output<S>> {
    const location: InputLocation = metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param' ? metadata.type : 'custom';
    return parseOrThrow(this.schema, value, { location, name: this.name ?? metadata.data });
  }
}

/** A schema, or a schema built from the clock's now of the request (rules about instants). */
export type SchemaSource = z.ZodType | ((now: Date) => z.ZodType);

const isFactory = (source: SchemaSource): source is (now: Date) => z.ZodType => typeof source === 'function';

/** The schema of `source` at `now`. */
export const schemaAt = (source: SchemaSource, now: Date): z.ZodType => (isFactory(source) ? source(now) : source);

/**
 * The pipe for `source`: a plain instance for a fixed schema; for a factory, a class Nest constructs
 * with the clock (pipes given as classes are resolved by the module's injector).
 */
export function zodPipe(source: SchemaSource, name?: string): PipeTransform | Type<PipeTransform> {
  if (!isFactory(source)) return new ZodValidationPipe(source, name);
  const schemaFor = source;
  @Injectable()
  class ClockedZodValidationPipe implements PipeTransform<unknown, Promise<unknown>> {
    constructor(@Inject(CLOCK) private readonly clock: Clock) {}

    transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
      return new ZodValidationPipe(schemaFor(this.clock.now()), name).transform(value, metadata);
    }
  }
  return ClockedZodValidationPipe;
}

/** Any instant serves to describe a time-dependent schema: JSON Schema cannot state its refinements. */
const DESCRIBED_AT = new Date(0);

/** Applies a method decorator from a parameter decorator (the same schema documents the input in /docs). */
function describeOn(target: object, key: string | symbol | undefined, decorator: MethodDecorator): void {
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  if (descriptor) decorator(target, key!, descriptor);
}

type ParameterSchema = Parameters<typeof ApiParam>[0] extends infer O ? (O extends { schema: infer S } ? S : never) : never;

/** The request body, parsed by `schema`. */
export const ZodBody =
  (schema: SchemaSource): ParameterDecorator =>
  (target, key, index) => {
    Body(zodPipe(schema))(target, key, index);
    declareInput(target, key, { body: true });
    describeOn(target, key, ApiBody({ schema: openApiSchema(schemaAt(schema, DESCRIBED_AT)) as ParameterSchema }));
  };

/** One path parameter, parsed by `schema`; errors name the parameter (`tenantId`). */
export const ZodParam =
  (name: string, schema: SchemaSource): ParameterDecorator =>
  (target, key, index) => {
    Param(name, zodPipe(schema))(target, key, index);
    describeOn(target, key, ApiParam({ name, required: true, schema: openApiSchema(schemaAt(schema, DESCRIBED_AT)) as ParameterSchema }));
  };

/** The query parameters an object schema describes, each with its own schema. */
function queryParameters(schema: z.ZodType): { name: string; required: boolean; schema: OpenApiSchemaObject }[] {
  const json = openApiSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, OpenApiSchemaObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, required: required.has(name), schema: property }));
}

/** The whole query (an object schema), or one query parameter when `name` is given. */
export function ZodQuery(schema: SchemaSource): ParameterDecorator;
export function ZodQuery(name: string, schema: SchemaSource): ParameterDecorator;
export function ZodQuery(nameOrSchema: string | SchemaSource, schema?: SchemaSource): ParameterDecorator {
  return (target, key, index) => {
    if (typeof nameOrSchema === 'string') {
      Query(nameOrSchema, zodPipe(schema as SchemaSource))(target, key, index);
      declareInput(target, key, { query: [nameOrSchema] });
      describeOn(target, key, ApiQuery({ name: nameOrSchema, required: false, schema: openApiSchema(schemaAt(schema as SchemaSource, DESCRIBED_AT)) as ParameterSchema }));
      return;
    }
    Query(zodPipe(nameOrSchema))(target, key, index);
    const parameters = queryParameters(schemaAt(nameOrSchema, DESCRIBED_AT));
    declareInput(target, key, { query: parameters.map((p) => p.name) });
    for (const p of parameters) describeOn(target, key, ApiQuery({ name: p.name, required: p.required, schema: p.schema as ParameterSchema }));
  };
}

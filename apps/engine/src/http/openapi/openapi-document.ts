// The API's OpenAPI description, served at /docs (and /docs/openapi.json). Parameters and request
// bodies come from the zod schemas that validate them (ZodParam, ZodQuery, ZodBody), answers from the
// schemas the presenters are typed with (@Answer); what follows from a route's access rule and inputs
// (security, 400/401/403/413/415, read-your-writes, Lethe-Position) is added here from the same
// metadata the guards and interceptors read, so a route cannot be described otherwise than it behaves.
import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { MAX_LOG_POSITION } from '@lethe/eventstore';
import type { ApiRole } from '../../config/engine-config.js';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/decorators.js';
import { IDEMPOTENT_KEY, idempotencyKeyName, keyReusedCode, type IdempotentOptions } from '../idempotency/idempotent.decorator.js';
import { MIN_POSITION_QUERY, POSITION_HEADER } from '../consistency/read-your-writes.interceptor.js';
import { openApiSchema } from './openapi-schema.js';
import { problemSchema } from './problem.schema.js';
import { PROBLEM_SCHEMA_REF } from './answer.decorator.js';

/** How a route is reached: public, or the roles named by @Roles (the handler's wins over the controller's). */
export interface RouteAccess {
  readonly public: boolean;
  readonly roles: readonly ApiRole[];
  readonly idempotent: IdempotentOptions | undefined;
}

const WRITES = new Set(['post', 'put', 'patch', 'delete']);
const POSITION_PATTERN = '^[0-9]{1,19}$';

const DESCRIPTION = [
  'Tenant data lifecycle engine: onboarding, key rotation and retention, terminations and deletion requests, verified crypto-shredding and signed deletion certificates.',
  '',
  '**Authentication.** `Authorization: Bearer <token>`: an opaque token (printable characters, no spaces, at least 32 recommended) from `LETHE_TOKENS` or the tokens file, one per role. ' +
    'Roles: `contract-system` (terminations and deletion requests), `ops-reader` (reads), `operator` (changes; includes `ops-reader`), `admin` (everything). ' +
    'No or an unknown token: 401; a token of a role the route does not allow: 403. A token in the query string is refused.',
  '',
  '**Errors** are `application/problem+json` with a stable `code`; a 400 names each bad field and rule in `errors`. ' +
    'A query parameter or body field a route does not describe here is refused (400), and so is text holding NUL or a lone surrogate anywhere in a request.',
  '',
  '**Read your own writes.** Every write answers `Lethe-Position`; send it back on a read as `?minPosition=` (or the `Lethe-Min-Position` header) and the read waits until the read models have caught up (202 after 2 s).',
].join('\n');

const operationId = (controller: string, method: string) => `${controller}_${method}`;

/** The access rule of each controller method Nest registered, by operation id (`Controller_method`). */
export function routeAccess(app: INestApplication): Map<string, RouteAccess> {
  const access = new Map<string, RouteAccess>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | undefined;
      if (!controller?.prototype) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const meta = <T>(key: string): T | undefined => (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as T | undefined;
        access.set(operationId(controller.name, name), {
          public: meta<boolean>(PUBLIC_KEY) === true,
          roles: meta<ApiRole[]>(ROLES_KEY) ?? [],
          idempotent: Reflect.getMetadata(IDEMPOTENT_KEY, handler) as IdempotentOptions | undefined,
        });
      }
    }
  }
  return access;
}

type Operation = {
  operationId?: string;
  description?: string;
  parameters?: Record<string, unknown>[];
  requestBody?: unknown;
  responses: Record<string, Record<string, unknown>>;
  security?: Record<string, string[]>[];
};

const problem = (description: string, example?: Record<string, unknown>) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: PROBLEM_SCHEMA_REF }, ...(example ? { example } : {}) } },
});

const EXAMPLES = {
  400: { type: 'urn:lethe:problem:validation', title: 'Invalid request', status: 400, detail: 'The request body is not valid.', instance: '/v1/tenants', code: 'validation', errors: [{ field: 'tenantId', rule: 'must be 1-63 lowercase letters, digits or hyphens, starting with a letter or digit' }] },
  401: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'A valid bearer token is required.', instance: '/v1/tenants', code: 'unauthorized' },
  403: { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'This role may not call this route.', instance: '/v1/tenants', code: 'forbidden' },
  413: { type: 'about:blank', title: 'Payload Too Large', status: 413, detail: 'The request body is larger than the limit of 102400 bytes.', instance: '/v1/tenants', code: 'payload-too-large' },
  415: { type: 'about:blank', title: 'Unsupported Media Type', status: 415, detail: 'The request body must be application/json.', instance: '/v1/tenants', code: 'unsupported-media-type' },
  202: { type: 'urn:lethe:problem:read-model-behind', title: 'Read model not there yet', status: 202, detail: 'The read models have reached log position 41, not yet 42: ask again.', instance: '/v1/tenants/acme', code: 'read-model-behind', minPosition: '42', position: '41' },
};

function rolesText(roles: readonly ApiRole[]): string {
  const also = new Set<ApiRole>(['admin', ...roles]);
  if (roles.includes('ops-reader')) also.add('operator');
  return `**Roles:** ${[...also].map((r) => `\`${r}\``).join(', ')}.`;
}

/** Completes one operation from its access rule and inputs. */
function complete(method: string, op: Operation, access: RouteAccess | undefined): void {
  const r = op.responses;
  const params = (op.parameters ??= []);
  if (access && !access.public) {
    op.security = [{ bearer: [] }];
    op.description = [rolesText(access.roles), op.description].filter(Boolean).join('\n\n');
    r['401'] ??= problem('No valid bearer token (`unauthorized`)', EXAMPLES[401]);
    r['403'] ??= problem('The token\'s role may not call this route (`forbidden`)', EXAMPLES[403]);
  } else {
    op.security = [];
    op.description = ['**Public:** no token needed.', op.description].filter(Boolean).join('\n\n');
  }
  if (method === 'get' && access && !access.public) {
    params.push(
      { name: MIN_POSITION_QUERY, in: 'query', required: false, description: `Read your own writes: a \`${POSITION_HEADER}\` a write answered; the read waits (up to 2 s) until the read models have reached it. A whole number from 0 to ${MAX_LOG_POSITION} (2^63-1)`, schema: { type: 'string', pattern: POSITION_PATTERN } },
      { name: 'Lethe-Min-Position', in: 'header', required: false, description: `The same as \`${MIN_POSITION_QUERY}\``, schema: { type: 'string', pattern: POSITION_PATTERN } },
    );
    r['202'] ??= problem('The read models have not reached `minPosition` within 2 s (`read-model-behind`, with `Retry-After: 1`): ask again', EXAMPLES[202]);
  }
  if (access?.idempotent?.key === 'header') {
    params.push({ name: 'Idempotency-Key', in: 'header', required: access.idempotent.required ?? false, description: 'Replays the first answer for the same key and body (`Idempotent-Replayed: true`); another body with the same key is a 409', schema: { type: 'string', minLength: 1, maxLength: 200 } });
  }
  // Every route refuses query parameters and body fields it does not describe (RequestInputInterceptor).
  r['400'] ??= problem(
    params.length > 0 || op.requestBody
      ? 'Invalid input (`validation`): `errors` names each bad field and the rule it breaks, or a query parameter or body field this route does not take'
      : 'A query parameter or body field this route does not take (`validation`, naming it in `errors`)',
    EXAMPLES[400],
  );
  if (op.requestBody) {
    r['413'] ??= problem('Body larger than 100 kB (`payload-too-large`)', EXAMPLES[413]);
    r['415'] ??= problem('Body not `application/json` (`unsupported-media-type`)', EXAMPLES[415]);
  }
  if (access?.idempotent) {
    // Said beside the route's own conflicts, if it declares any: a client must tell them apart.
    const name = idempotencyKeyName(access.idempotent);
    const reused = `the same \`${name}\` with another body (\`${keyReusedCode(access.idempotent)}\`), or the first request with it still in progress (\`request-in-progress\`)`;
    const declared = r['409'] as { description?: string } | undefined;
    if (declared?.description) r['409'] = { ...declared, description: `${declared.description}; or ${reused}` } as (typeof r)[string];
    else r['409'] = problem(`${reused.charAt(0).toUpperCase()}${reused.slice(1)}`);
  }
  if (WRITES.has(method)) {
    for (const [status, response] of Object.entries(r)) {
      if (!status.startsWith('2')) continue;
      response.headers = { ...(response.headers as object), [POSITION_HEADER]: { description: 'At or past every event this write produced (its last event\'s log position, or the head of the log when it appended none): send it back as `minPosition` to read it', schema: { type: 'string', pattern: POSITION_PATTERN } } };
    }
  }
  if (op.parameters.length === 0) delete op.parameters;
}

/** The OpenAPI document of every route `app` registered. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Lethe')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'A static token of one role (contract-system, ops-reader, operator, admin, approver) and a named subject; or, with LETHE_OIDC_ISSUER set, a JWT of that issuer whose roles claim names Lethe roles (README, Identities)' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: operationId });
  const access = routeAccess(app);
  for (const operations of Object.values(document.paths)) {
    for (const [method, op] of Object.entries(operations as Record<string, Operation>)) {
      complete(method, op, op.operationId ? access.get(op.operationId) : undefined);
    }
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: openApiSchema(problemSchema, 'output') } };
  return document;
}

export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
}

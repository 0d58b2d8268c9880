// The engine's HTTP building blocks, shared by every /v1 controller: bearer-token roles,
// problem+json errors, zod validation, idempotent requests, TLS options.
export type { CallerContext, HttpRequest, HttpResponse } from './http-types.js';
export { JWT_VERIFIER, httpProviders, problemProviders, authProviders, idempotencyProviders, readYourWritesProviders, requestInputProviders } from './http-providers.js';
export {
  ReadYourWritesInterceptor,
  READ_MODEL_PROGRESS,
  READ_WAIT_MS,
  POSITION_HEADER,
  MIN_POSITION_HEADER,
  MIN_POSITION_QUERY,
  type ReadModelProgress,
} from './consistency/read-your-writes.interceptor.js';

export { Roles, Public, Caller, ROLES_KEY, PUBLIC_KEY } from './auth/decorators.js';
export { RolesGuard } from './auth/roles.guard.js';
export { BearerAuthenticator, type Authentication, type Identity, type JwtVerifier } from './auth/bearer-authenticator.js';
export { roleAllows, grantedRoles } from './auth/roles.js';

export {
  ProblemException,
  ProblemTypes,
  PROBLEM_CONTENT_TYPE,
  problemTitle,
  problemCode,
  statusText,
  type ProblemDetails,
  type UncodedProblem,
  type ProblemInit,
  type FieldError,
} from './problem/problem.js';
export { ProblemDetailsFilter, problemFor, JSON_OBJECT_RULE, VALID_JSON_RULE, type ProblemResponse } from './problem/problem-details.filter.js';

export { ZodValidationPipe, ZodBody, ZodParam, ZodQuery, zodPipe, parseOrThrow, type InputLocation, type InputSource, type SchemaSource } from './validation/zod-validation.pipe.js';
export {
  RequestInputInterceptor,
  unknownQueryParameters,
  undeclaredBodyErrors,
  unstorableStrings,
  UNKNOWN_QUERY_RULE,
  UNKNOWN_FIELD_RULE,
  NO_BODY_RULE,
} from './validation/request-input.interceptor.js';
export { declareInput, declaredInputOf, type DeclaredInput } from './validation/declared-input.js';
export { fieldErrors, formatPath, plainRule, plainErrorMap } from '@lethe/domain';

export { Idempotent, IDEMPOTENT_KEY, IDEMPOTENCY_KEY_HEADER, type IdempotentOptions } from './idempotency/idempotent.decorator.js';
export { IdempotencyInterceptor, defaultScope } from './idempotency/idempotency.interceptor.js';
export {
  IdempotencyStore,
  IDEMPOTENCY_OPTIONS,
  type IdempotencyOptions,
  type IdempotencyClaim,
  type BeginOutcome,
} from './idempotency/idempotency.store.js';
export { CreateIdempotency1764400000040, idempotencyMigrations } from './idempotency/idempotency.migrations.js';
export { requestFingerprint } from './idempotency/request-fingerprint.js';

export { loadHttpsOptions, TlsConfigError, type TlsSettings, type HttpsOptions } from './tls.js';

export { setupOpenApi, buildOpenApiDocument, routeAccess, type RouteAccess } from './openapi/openapi-document.js';
export { openApiSchema, type OpenApiSchemaObject } from './openapi/openapi-schema.js';
export { Answer, Problems, PROBLEM_SCHEMA_REF, type AnswerOf, type DeclaredProblem } from './openapi/answer.decorator.js';
export { problemSchema, type ProblemBody } from './openapi/problem.schema.js';
export { useJsonBodies, refuseNonJsonBodies, refuseDeepBodies, tooDeepPath, mediaTypeOf, MAX_BODY_DEPTH, MAX_BODY_BYTES, DEPTH_RULE } from './body/json-bodies.js';

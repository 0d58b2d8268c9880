// The providers that put the HTTP building blocks in force for every controller of the module
// (and of modules it imports): spread into EngineModule's providers. They need ENGINE_CONFIG
// (auth), PG_POOL and CLOCK (idempotency), EVENT_STORE and READ_MODEL_PROGRESS (read your writes)
// from the same module.
import type { Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { BearerAuthenticator, type JwtVerifier } from './auth/bearer-authenticator.js';
import { ActingSubjectInterceptor } from './auth/acting-subject.interceptor.js';
import { RolesGuard } from './auth/roles.guard.js';
import { ReadYourWritesInterceptor } from './consistency/read-your-writes.interceptor.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { IdempotencyStore } from './idempotency/idempotency.store.js';
import { ProblemDetailsFilter } from './problem/problem-details.filter.js';
import { RequestInputInterceptor } from './validation/request-input.interceptor.js';

/** problem+json for every error, including 404 for unknown routes and body-parser failures. */
export const problemProviders: Provider[] = [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }];

/** Injection token of the JwtVerifier of LETHE_OIDC_* (null or absent: static tokens only). */
export const JWT_VERIFIER = Symbol('JwtVerifier');

/** Bearer tokens from EngineConfig.tokens, and JWTs when JWT_VERIFIER is provided; @Roles / @Public on every route. */
export const authProviders: Provider[] = [
  {
    provide: BearerAuthenticator,
    useFactory: (config: EngineConfig, jwt: JwtVerifier | null | undefined) => new BearerAuthenticator(config.tokens, jwt ?? undefined),
    inject: [ENGINE_CONFIG, { token: JWT_VERIFIER, optional: true }],
  },
  { provide: APP_GUARD, useClass: RolesGuard },
  // Innermost of the global interceptors (registered last): the handler runs as the caller's subject.
  { provide: APP_INTERCEPTOR, useClass: ActingSubjectInterceptor },
];

/** @Idempotent routes, backed by lethe_idempotency (idempotencyMigrations). */
export const idempotencyProviders: Provider[] = [IdempotencyStore, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }];

/**
 * Unknown query parameters and body fields, and text PostgreSQL cannot hold, are refused on every
 * route (400). Listed first, so a bad request is refused before it waits for the read models.
 */
export const requestInputProviders: Provider[] = [{ provide: APP_INTERCEPTOR, useClass: RequestInputInterceptor }];

/**
 * Writes answer Lethe-Position; reads given minPosition wait for the read models (needs
 * READ_MODEL_PROGRESS). Listed before idempotency, so it wraps it: a replayed write answers a
 * position too.
 */
export const readYourWritesProviders: Provider[] = [{ provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor }];

export const httpProviders: Provider[] = [...problemProviders, ...requestInputProviders, ...readYourWritesProviders, ...idempotencyProviders, ...authProviders];

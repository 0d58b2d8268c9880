// PostgreSQL record of idempotent requests: "a replayed request with the same idempotency key
// returns the first answer; the same key with a different body is 409" (ARCHITECTURE.md §6).
//
// begin() claims (scope, key) with `insert ... on conflict do nothing`; exactly one concurrent
// request wins and runs its handler, then complete() stores its answer, or release() deletes the
// claim when the handler threw (so a retry after a 400 or 500 runs again). A request that finds
// the key pending with the same body polls until the first one finishes (up to `waitMs`), then
// replays its answer; past `waitMs` it gets 'in-progress' (the API answers 409 with Retry-After).
// A claim whose instance died is taken over once its lease (database time) has expired.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { CLOCK, type Clock } from '@lethe/clock';
import { PG_POOL } from '../../infrastructure/database.js';

export interface IdempotencyOptions {
  /** How long a claim holds the key before another request may take it over. Default 60 s. */
  readonly leaseMs: number;
  /** How long a second request waits for the first to finish before answering 'in-progress'. Default 5 s. */
  readonly waitMs: number;
  /** How often the waiting request looks again. Default 50 ms. */
  readonly pollMs: number;
}

/** Optional Nest token for Partial<IdempotencyOptions>. */
export const IDEMPOTENCY_OPTIONS = Symbol('IdempotencyOptions');

const DEFAULTS: IdempotencyOptions = { leaseMs: 60_000, waitMs: 5_000, pollMs: 50 };

export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  readonly token: string;
}

export type BeginOutcome =
  | { readonly kind: 'claimed'; readonly claim: IdempotencyClaim }
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in-progress' };

interface Row {
  request_hash: string;
  state: 'pending' | 'completed';
  claim_token: string | null;
  response_status: number | null;
  response_body: unknown;
  expired: boolean;
}

@Injectable()
export class IdempotencyStore {
  private readonly options: IdempotencyOptions;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(IDEMPOTENCY_OPTIONS) options?: Partial<IdempotencyOptions>,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** `fingerprint`: hex SHA-256 of the canonical request body (requestFingerprint). */
  async begin(scope: string, key: string, fingerprint: string): Promise<BeginOutcome> {
    const started = performance.now();
    for (;;) {
      const token = randomUUID();
      const inserted = await this.pool.query(
        `insert into lethe_idempotency (scope, idempotency_key, request_hash, state, claim_token, lease_expires_at, created_at)
         values ($1, $2, $3, 'pending', $4, clock_timestamp() + make_interval(secs => $5::double precision / 1000), $6)
         on conflict (scope, idempotency_key) do nothing`,
        [scope, key, fingerprint, token, this.options.leaseMs, this.clock.now()],
      );
      if (inserted.rowCount === 1) return { kind: 'claimed', claim: { scope, key, token } };

      const { rows } = await this.pool.query<Row>(
        `select request_hash, state, claim_token, response_status, response_body,
                coalesce(lease_expires_at <= clock_timestamp(), false) as expired
           from lethe_idempotency where scope = $1 and idempotency_key = $2`,
        [scope, key],
      );
      const row = rows[0];
      if (row === undefined) continue; // released in between: claim it again
      if (row.request_hash !== fingerprint) return { kind: 'mismatch' };
      if (row.state === 'completed') {
        return { kind: 'replay', status: row.response_status as number, body: row.response_body === null ? undefined : row.response_body };
      }
      if (row.expired) {
        const taken = await this.pool.query(
          `update lethe_idempotency
              set claim_token = $3, lease_expires_at = clock_timestamp() + make_interval(secs => $5::double precision / 1000)
            where scope = $1 and idempotency_key = $2 and state = 'pending' and claim_token = $4
              and lease_expires_at <= clock_timestamp()`,
          [scope, key, token, row.claim_token, this.options.leaseMs],
        );
        if (taken.rowCount === 1) return { kind: 'claimed', claim: { scope, key, token } };
        continue;
      }
      if (performance.now() - started >= this.options.waitMs) return { kind: 'in-progress' };
      await sleep(this.options.pollMs);
    }
  }

  /** Stores the answer of a claimed request. False when the claim was lost (its lease expired and was taken over). */
  async complete(claim: IdempotencyClaim, status: number, body: unknown): Promise<boolean> {
    const result = await this.pool.query(
      `update lethe_idempotency
          set state = 'completed', response_status = $4, response_body = $5::json, completed_at = $6,
              claim_token = null, lease_expires_at = null
        where scope = $1 and idempotency_key = $2 and claim_token = $3 and state = 'pending'`,
      [claim.scope, claim.key, claim.token, status, body === undefined ? null : JSON.stringify(body), this.clock.now()],
    );
    return result.rowCount === 1;
  }

  /** Gives the key back after the handler failed, so a retry runs again. False when the claim was already gone. */
  async release(claim: IdempotencyClaim): Promise<boolean> {
    const result = await this.pool.query(
      `delete from lethe_idempotency where scope = $1 and idempotency_key = $2 and claim_token = $3 and state = 'pending'`,
      [claim.scope, claim.key, claim.token],
    );
    return result.rowCount === 1;
  }
}

// What the engine-wide routes answer (compliance, rejected events, certificate keys, the manual
// clock, health): their presenters or handlers are typed with these schemas and the OpenAPI document
// shows them (@Answer), so the two cannot drift.
import { z } from 'zod';
import type { AnswerOf } from '../http/index.js';

const instant = z.string().describe('ISO 8601 instant, UTC');

const violationId = z.string().describe('The id the compliance watch gives this violation: the `violationId` of `ComplianceViolationOpened`/`-Closed` in `compliance-<tenantId>` and of the `compliance.violation-opened`/`-closed` integration events');
const p1 = z.strictObject({ violationId, tenantId: z.string(), keyCustody: z.string(), newestKeyVersionId: z.string(), newestCreatedAt: instant, limitDays: z.number().int() });
const p2 = z.strictObject({ violationId, tenantId: z.string(), keyVersionId: z.string(), databases: z.array(z.strictObject({ databaseId: z.string(), keyVersionId: z.string() })) });
const p3 = z.union([
  z.strictObject({ violationId, problem: z.literal('kept-after-retain-until'), tenantId: z.string(), keyVersionId: z.string(), retainUntil: instant }),
  z.strictObject({ violationId, problem: z.literal('backup-needs-retired-key-version'), tenantId: z.string(), backupId: z.string(), keyVersionIds: z.array(z.string()), expiresAt: instant }),
]);
const promise = <T extends z.ZodType>(violation: T) => z.strictObject({ rule: z.string(), violations: z.array(violation) });

export const complianceAnswer = z.strictObject({
  at: instant,
  items: z.array(z.looseObject({ promise: z.enum(['P1', 'P2', 'P3']), violationId, tenantId: z.string() })).describe('Every violation on this page, with the promise it breaks and its violationId'),
  nextCursor: z.string().nullable().describe('Where the next page of key rings starts; null on the last'),
  P1: promise(p1),
  P2: promise(p2),
  P3: promise(p3),
});

export const rejectedEventsAnswer = z.strictObject({
  total: z.number().int(),
  rejected: z.array(
    z.strictObject({
      eventId: z.string(),
      streamId: z.string(),
      revision: z.number().int(),
      eventType: z.string(),
      errors: z.array(z.strictObject({ field: z.string(), rule: z.string() })),
      rejectedAt: instant,
    }),
  ),
});

export const signingKeyAnswer = z.strictObject({
  keyId: z.string(),
  algorithm: z.literal('Ed25519'),
  pem: z.string().describe('SPKI PEM'),
  validFrom: instant,
  validUntil: instant.nullable().describe('Null while current'),
});
export const signingKeysAnswer = z.strictObject({ keys: z.array(signingKeyAnswer) });
export type SigningKeyAnswer = AnswerOf<typeof signingKeyAnswer>;
export type SigningKeysAnswer = AnswerOf<typeof signingKeysAnswer>;

export const clockAnswer = z.strictObject({ now: instant });
export const clockMovedAnswer = z.strictObject({ now: instant, fired: z.array(z.strictObject({ id: z.string(), kind: z.string() })).describe('The deadlines this instance fired because of the move') });
export type ClockAnswer = AnswerOf<typeof clockAnswer>;
export type ClockMovedAnswer = AnswerOf<typeof clockMovedAnswer>;

export const liveAnswer = z.strictObject({ status: z.literal('ok') });
export type ComplianceAnswer = AnswerOf<typeof complianceAnswer>;
export type RejectedEventsAnswer = AnswerOf<typeof rejectedEventsAnswer>;
export const readyAnswer = z.looseObject({ status: z.string(), info: z.record(z.string(), z.unknown()).optional(), error: z.record(z.string(), z.unknown()).optional(), details: z.record(z.string(), z.unknown()) });

const KEY = { keyId: 'ed25519:3f1c…', algorithm: 'Ed25519', pem: '-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n', validFrom: '2026-12-01T00:00:00.000Z', validUntil: null } as const;

const READY_CHECKS = {
  database: { status: 'up' },
  directConnection: { status: 'up' },
  migrations: { status: 'up', applied: 24 },
  processors: { status: 'up', maxLagMs: 60000, 'projection:tenants': { state: 'running-here', position: '1207', lagMs: 0 }, 'saga:shred': { state: 'owned-elsewhere', position: '1207', lagMs: 0 } },
  poller: { status: 'up', draining: false, sinceLastTickMs: 412, boundMs: 13000 },
} as const;

export const EXAMPLES = {
  compliance: {
    at: '2026-12-21T09:00:00.000Z',
    items: [{ promise: 'P1', violationId: 'P1:acme:acme-v1', tenantId: 'acme', keyCustody: 'client', newestKeyVersionId: 'acme-v1', newestCreatedAt: '2024-12-01T00:00:00.000Z', limitDays: 730 }],
    nextCursor: null,
    P1: { rule: 'the newest key version is younger than the rotation period', violations: [{ violationId: 'P1:acme:acme-v1', tenantId: 'acme', keyCustody: 'client', newestKeyVersionId: 'acme-v1', newestCreatedAt: '2024-12-01T00:00:00.000Z', limitDays: 730 }] },
    P2: { rule: 'every database is on a new key version within 24 hours', violations: [] },
    P3: { rule: 'a superseded version lives while something needs it, then is retired', violations: [] },
  },
  rejectedEvents: {
    total: 1,
    rejected: [{ eventId: '0b6f…', streamId: 'contract-acme', revision: 3, eventType: 'ContractTerminated', errors: [{ field: 'effectiveAt', rule: 'must be an ISO 8601 instant, e.g. 2026-01-05T09:00:00Z' }], rejectedAt: '2026-12-21T09:00:01.000Z' }],
  },
  signingKey: KEY,
  signingKeys: { keys: [KEY] },
  clock: { now: '2026-12-21T09:00:00.000Z' },
  clockMoved: { now: '2026-12-30T00:00:00.000Z', fired: [{ id: 'shred-execute:acme:termination:t-1', kind: 'shred-execute' }] },
  live: { status: 'ok' },
  ready: {
    status: 'ok',
    info: READY_CHECKS,
    error: {},
    details: READY_CHECKS,
  },
} as const;

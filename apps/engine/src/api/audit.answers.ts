// What the audit routes answer (GET /v1/tenants/{id}/events, GET /v1/schedule, GET
// /v1/tenants/{id}/keys/timeline): the presenters (audit.presenter.ts) are typed with these schemas
// and the OpenAPI document shows them (@Answer), so the two cannot drift.
import { CAUSE_KINDS, SCHEDULE_KINDS, SCHEDULE_STATES } from '@lethe/lifecycle';
import { z } from 'zod';
import type { AnswerOf } from '../http/index.js';

const instant = z.string().describe('ISO 8601 instant, UTC');
const position = z.string().describe('A global log position (decimal digits)');

const cause = z
  .strictObject({
    kind: z.enum(CAUSE_KINDS).describe('`request` (an API call), `timer` (a durable timer), `event` (a processor following another event), `engine` (a step of its own), `contract-system` (appended straight into the contract stream)'),
    name: z.string().describe('The operation (`record-backup`, …), the timer kind of GET /v1/schedule, the type of the event followed, or the engine step'),
    position: position.nullable().describe('For `event`: the position of the event followed'),
  })
  .nullable()
  .describe('What made Lethe write it; null when the event records no cause Lethe knows');

export const tenantEventsAnswer = z.strictObject({
  items: z.array(
    z.strictObject({
      position,
      stream: z.string().describe('`tenant-<id>`, `keys-<id>` or `contract-<id>`'),
      type: z.string(),
      at: instant.describe('The instant the event records (its `at`, or when a notice was received), else when it was decided or received (metadata), else when it was stored'),
      cause,
      by: z.string().nullable().describe("Who caused it: the subject of the API call (a static token's named subject, or the OIDC token's `sub`); null for a timer, a processor or an event recorded before identities"),
      summary: z.string().describe('One line: ids, counts, instants; never key material, secrets, free text or personal data'),
    }),
  ),
  nextCursor: z.string().nullable().describe('Pass as `after` for the next page; null on the last'),
});

const subject = z
  .strictObject({ type: z.enum(['shred', 'key-version', 'key-ring', 'break-glass-grant']), id: z.string() })
  .nullable()
  .describe('What the timer is about: a shred id, a key version id, or a key ring (its tenant id)');

export const scheduleAnswer = z.strictObject({
  items: z.array(
    z.strictObject({
      kind: z.enum(SCHEDULE_KINDS),
      tenantId: z.string().nullable().describe('Null for a platform timer'),
      dueAt: instant,
      subject,
      state: z.enum(SCHEDULE_STATES).describe('`pending` (not due yet), `late` (due, not fired yet: waiting or retrying), `claimed` (being fired now), `failed` (parked: ops requeue it)'),
      attempts: z.number().int().describe('Failed attempts so far'),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const keyTimelineAnswer = z.strictObject({
  tenantId: z.string(),
  keyCustody: z.string().nullable().describe('`managed` or `client`'),
  pitrRetentionDays: z.number().int().nullable().describe('The point-in-time window (days); null before the key ring is open'),
  destroyedAt: instant.nullable().describe('When a shred destroyed the tenant key'),
  versions: z.array(
    z.strictObject({
      keyVersionId: z.string(),
      number: z.number().int().describe('1-based, in the order added'),
      source: z.string().describe('`onboarding`, `policy`, `manual` or `detected`'),
      status: z.string().describe('`active`, `superseded`, `retired` or `destroyed`'),
      createdAt: instant,
      protects: z.array(z.strictObject({ databaseId: z.string(), from: instant, until: instant.nullable().describe('null: it still protects it') })),
      supersededAt: instant.nullable().describe('When the next version was created; null for the newest'),
      retainedUntil: instant.nullable().describe('P3: until when it stays usable; null while newest or in use; for a retired version, what it was retired at'),
      retainedBecause: z
        .array(z.strictObject({ backupId: z.string(), kind: z.string(), expiresAt: instant }))
        .describe('Backups (not deleted) that need it, latest expiry first, at most 10'),
      retainingBackups: z.number().int().describe('How many backups (not deleted) need it in all'),
      retiredAt: instant.nullable(),
      destroyedAt: instant.nullable().describe('When a shred made it unusable'),
    }),
  ),
});

export type TenantEventsAnswer = AnswerOf<typeof tenantEventsAnswer>;
export type ScheduleAnswer = AnswerOf<typeof scheduleAnswer>;
export type KeyTimelineAnswer = AnswerOf<typeof keyTimelineAnswer>;

export const EXAMPLES = {
  events: {
    items: [
      {
        position: '7',
        stream: 'keys-acme',
        type: 'KeyVersionAdded',
        at: '2027-12-21T09:00:00.000Z',
        cause: { kind: 'timer', name: 'rotation', position: null },
        by: null,
        summary: 'Key version acme-v2 created (policy)',
      },
      {
        position: '9',
        stream: 'tenant-acme',
        type: 'ShredScheduled',
        at: '2028-01-03T10:00:00.000Z',
        cause: { kind: 'event', name: 'ContractTerminated', position: '8' },
        by: null,
        summary: 'Shred termination:t-1 scheduled by termination t-1 (contract c-1): execute at 2028-01-07T23:59:59.999Z, deadline 2028-01-10T23:59:59.999Z',
      },
    ],
    nextCursor: 'WyJ0ZW5hbnQtZXZlbnRzIiwiYWNtZSIsMyw1LDFd',
  },
  schedule: {
    items: [{ kind: 'retirement', tenantId: 'acme', dueAt: '2028-02-25T09:00:00.000Z', subject: { type: 'key-version', id: 'acme-v1' }, state: 'pending', attempts: 0 }],
    nextCursor: null,
  },
  timeline: {
    tenantId: 'acme',
    keyCustody: 'managed',
    pitrRetentionDays: 35,
    destroyedAt: null,
    versions: [
      {
        keyVersionId: 'acme-v1',
        number: 1,
        source: 'onboarding',
        status: 'retired',
        createdAt: '2026-12-21T09:00:00.000Z',
        protects: [{ databaseId: 'orders', from: '2026-12-21T09:00:00.000Z', until: '2027-12-21T09:05:00.000Z' }],
        supersededAt: '2027-12-21T09:00:00.000Z',
        retainedUntil: '2028-03-01T00:00:00.000Z',
        retainedBecause: [{ backupId: 'b-1', kind: 'full', expiresAt: '2028-03-01T00:00:00.000Z' }],
        retainingBackups: 1,
        retiredAt: '2028-03-01T00:00:00.000Z',
        destroyedAt: null,
      },
      {
        keyVersionId: 'acme-v2',
        number: 2,
        source: 'policy',
        status: 'active',
        createdAt: '2027-12-21T09:00:00.000Z',
        protects: [{ databaseId: 'orders', from: '2027-12-21T09:05:00.000Z', until: null }],
        supersededAt: null,
        retainedUntil: null,
        retainedBecause: [],
        retainingBackups: 0,
        retiredAt: null,
        destroyedAt: null,
      },
    ],
  },
} as const;

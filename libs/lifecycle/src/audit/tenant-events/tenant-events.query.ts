import { Query } from '@nestjs/cqrs';
import { TENANT_CATEGORIES } from '@lethe/domain';
import type { Listing, Page } from '@lethe/readmodel';
import type { CauseKind } from '../event-cause.js';

/**
 * GET /v1/tenants/{id}/events pages over the tenant's streams (TENANT_CATEGORIES). A cursor holds the
 * tenant id and, per stream, the revision the next page starts at: each page is one indexed range
 * read per stream (lethe_events' unique (stream_id, stream_revision)), whatever the history's length.
 */
export const TENANT_EVENTS_LISTING: Listing = {
  name: 'tenant-events',
  key: ['string', ...TENANT_CATEGORIES.map(() => 'number' as const)],
};
export const DEFAULT_TENANT_EVENTS_LIMIT = 100;
export const MAX_TENANT_EVENTS_LIMIT = 500;

/** What made Lethe write the event (see event-cause.ts); `position` only for `event`: the one it followed. */
export interface EventCause {
  readonly kind: CauseKind;
  readonly name: string;
  readonly position: string | null;
}

export interface TenantEventItem {
  /** Its global log position, a decimal string. */
  readonly position: string;
  readonly stream: string;
  readonly type: string;
  /** ISO 8601: the instant the event records, else when it was decided or received (metadata), else when it was stored. */
  readonly at: string;
  readonly cause: EventCause | null;
  /** The subject whose API call caused it (metadata `subject`); null for a timer, a processor, or an event older than identities. */
  readonly by: string | null;
  /** One line without key material, secrets, free text or personal data (@lethe/domain describeEvent). */
  readonly summary: string;
}

/** A page of the tenant's history in global order, or null for a tenant that was never onboarded. */
export type TenantEvents = Page<TenantEventItem> | null;

export class GetTenantEventsQuery extends Query<TenantEvents> {
  constructor(
    readonly tenantId: string,
    /** 1..MAX_TENANT_EVENTS_LIMIT. */
    readonly limit: number,
    /** Per stream of TENANT_CATEGORIES, the revision to start at (a decoded cursor without its tenant id); null: from the start. */
    readonly after: readonly number[] | null,
  ) {
    super();
  }
}

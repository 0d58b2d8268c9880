import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import { describeEvent, describeForeignEvent, TENANT_CATEGORIES, contractCategory, upcastEvent, type LetheEvent } from '@lethe/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@lethe/eventstore';
import { lowestCheckpoint } from '@lethe/processors';
import { encodeCursor, readModels } from '@lethe/readmodel';
import { LIFECYCLE_POOL } from '../../lifecycle.tokens.js';
import { subjectOf } from '../acting-subject.js';
import { causeOf } from '../event-cause.js';
import { GetTenantEventsQuery, TENANT_EVENTS_LISTING, type EventCause, type TenantEventItem, type TenantEvents } from './tenant-events.query.js';

/** The projections every read waits for (the engine runs them all): the trail stops where they stand. */
const READ_MODEL_PROJECTIONS = readModels().map((m) => m.projection.name);

/**
 * Reads the tenant's streams from the revisions in the cursor, at most limit + 1 events each, and
 * merges them by global position. Only events at or below the read models' lowest checkpoint are
 * shown: every position up to there is settled (the processors never pass an append still in
 * flight), so a later page can never bring an event that belonged before this one; positions
 * increase with revisions within a stream, so cutting each stream there leaves no hole.
 */
@QueryHandler(GetTenantEventsQuery)
export class GetTenantEventsHandler implements IQueryHandler<GetTenantEventsQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LIFECYCLE_POOL) private readonly pool: pg.Pool,
  ) {}

  async execute({ tenantId, limit, after }: GetTenantEventsQuery): Promise<TenantEvents> {
    const streams = TENANT_CATEGORIES.map((c) => c.stream(tenantId));
    const onboarded = await this.store.readStream(streams[0], { limit: 1 });
    if (onboarded.length === 0) return null;
    const settled = await lowestCheckpoint(this.pool, READ_MODEL_PROJECTIONS);
    const from = after ?? streams.map(() => 0);
    const read = await Promise.all(streams.map((stream, i) => this.store.readStream(stream, { fromRevision: BigInt(from[i]), limit: limit + 1 })));
    const merged = read
      .flat()
      .filter((e) => e.position <= settled)
      .sort((a, b) => (a.position < b.position ? -1 : 1));
    const page = merged.slice(0, limit);
    const next = streams.map((stream, i) => {
      const mine = page.filter((e) => e.streamId === stream);
      return mine.length > 0 ? Number(mine[mine.length - 1].revision) + 1 : from[i];
    });
    const followed = await this.followedEvents(page, read.flat(), streams);
    return {
      items: page.map((e) => itemOf(e, followed)),
      nextCursor: merged.length > limit ? encodeCursor(TENANT_EVENTS_LISTING.name, [tenantId, ...next]) : null,
    };
  }

  /** The events the page's events followed (a processor's cause), found among those read or by id. */
  private async followedEvents(page: readonly RecordedEvent[], read: readonly RecordedEvent[], streams: readonly string[]): Promise<Map<string, RecordedEvent>> {
    const known = new Map(read.map((e) => [e.id.toLowerCase(), e]));
    const found = new Map<string, RecordedEvent>();
    const missing = new Set<string>();
    for (const e of page) {
      const cause = causeOf(e.metadata, contractCategory.idOf(e.streamId) !== undefined);
      if (cause?.kind !== 'event') continue;
      const id = cause.eventId.toLowerCase();
      const hit = known.get(id);
      if (hit) found.set(id, hit);
      else missing.add(id);
    }
    // The tenant's own streams first (a store without an index of ids reads them, not its whole log).
    const lookUp = async (id: string) => (await this.store.readEvent(id, { streams })) ?? (await this.store.readEvent(id));
    for (const e of await Promise.all([...missing].map(lookUp))) if (e) found.set(e.id.toLowerCase(), e);
    return found;
  }
}

function itemOf(e: RecordedEvent, followed: ReadonlyMap<string, RecordedEvent>): TenantEventItem {
  const category = TENANT_CATEGORIES.find((c) => c.idOf(e.streamId) !== undefined);
  const ours = category !== undefined && (category.types as readonly string[]).includes(e.type);
  const description = ours ? describeEvent(upcastEvent({ type: e.type, data: e.data, metadata: e.metadata }) as unknown as LetheEvent) : describeForeignEvent();
  const at = description.at ?? instant(e.metadata.occurredAt) ?? instant(e.metadata.receivedAt) ?? e.recordedAt.toISOString();
  return { position: e.position.toString(), stream: e.streamId, type: e.type, at, cause: causeFor(e, followed), by: subjectOf(e.metadata), summary: description.summary };
}

function causeFor(e: RecordedEvent, followed: ReadonlyMap<string, RecordedEvent>): EventCause | null {
  const cause = causeOf(e.metadata, contractCategory.idOf(e.streamId) !== undefined);
  if (!cause) return null;
  if (cause.kind !== 'event') return { kind: cause.kind, name: cause.name, position: null };
  const source = followed.get(cause.eventId.toLowerCase());
  return source ? { kind: 'event', name: source.type, position: source.position.toString() } : null;
}

/** A metadata value that is an instant, normalised to ISO 8601 UTC; null otherwise. */
function instant(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

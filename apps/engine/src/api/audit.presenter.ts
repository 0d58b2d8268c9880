// Response bodies of the audit routes, typed with their schemas in audit.answers.ts.
import type { KeyTimeline, ScheduleItem, TenantEventItem } from '@lethe/lifecycle';
import type { Page } from '@lethe/readmodel';
import type { KeyTimelineAnswer, ScheduleAnswer, TenantEventsAnswer } from './audit.answers.js';

export function tenantEventsBody(page: Page<TenantEventItem>): TenantEventsAnswer {
  return { items: page.items, nextCursor: page.nextCursor };
}

export function scheduleBody(page: Page<ScheduleItem>): ScheduleAnswer {
  return { items: page.items, nextCursor: page.nextCursor };
}

export function keyTimelineBody(timeline: KeyTimeline): KeyTimelineAnswer {
  return timeline;
}

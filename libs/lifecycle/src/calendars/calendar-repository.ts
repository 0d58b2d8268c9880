// A jurisdiction's calendar aggregate (stream `calendar-<jurisdiction>`): operator overrides.
import type { Clock } from '@lethe/clock';
import {
  CALENDAR_STATE_VERSION,
  calendarStream,
  decideCalendar,
  evolveCalendar,
  initialCalendarState,
  type CalendarCommand,
  type CalendarContext,
  type CalendarEvent,
  type CalendarState,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, type SnapshotOptions } from '../aggregate-repository.js';

export class CalendarRepository extends AggregateRepository<CalendarCommand, CalendarEvent, CalendarState, CalendarContext> {
  constructor(store: EventStore, clock: Clock, snapshots?: SnapshotOptions) {
    super(
      store,
      clock,
      {
        stream: calendarStream,
        stateVersion: CALENDAR_STATE_VERSION,
      initialState: initialCalendarState,
      evolve: evolveCalendar,
      decide: decideCalendar,
        context: (now) => ({ now }),
      },
      snapshots,
    );
  }
}

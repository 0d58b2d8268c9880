import { Query } from '@nestjs/cqrs';

/** The manual clock's time (ISO 8601). */
export class ReadClockQuery extends Query<{ readonly now: string }> {}

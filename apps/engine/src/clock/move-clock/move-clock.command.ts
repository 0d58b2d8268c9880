import { Command } from '@nestjs/cqrs';

/** What a move of the manual clock did: the time now, and the deadlines this instance fired because of it. */
export interface ClockMoved {
  /** ISO 8601 instant. */
  readonly now: string;
  /** `kind` is the timer's public name (as GET /v1/schedule names it: `shred-execution`, `retirement`, …); `id` is opaque. */
  readonly fired: readonly { readonly id: string; readonly kind: string }[];
}

/** Moves the manual clock forward to `to` (stored) and fires what became due. */
export class MoveClockCommand extends Command<ClockMoved> {
  constructor(readonly to: Date) {
    super();
  }
}

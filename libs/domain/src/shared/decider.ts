// The shape every aggregate follows: pure functions over readonly events and commands.
// `now` and the calendar come in through the context, so a decision is reproducible.

export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

export interface Decider<C, E, S, X> {
  readonly initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, context: X): readonly E[];
}

/**
 * A rule the command broke. `code` is stable (HTTP maps it), `message` names ids only. `field`, when
 * set, names the command field that broke it (HTTP answers 400 naming it, with `message` as the rule).
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function fold<S, E>(decider: Pick<Decider<unknown, E, S, unknown>, 'initialState' | 'evolve'>, events: readonly E[]): S {
  return events.reduce((s, e) => decider.evolve(s, e), decider.initialState);
}

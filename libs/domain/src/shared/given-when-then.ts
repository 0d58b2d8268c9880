// given(events).when(command).then(events): how decider specs read.
import type { Decider } from './decider.js';
import { DomainError } from './decider.js';

export function specFor<C, E, S, X>(decider: Decider<C, E, S, X>, context: () => X) {
  return function given(events: readonly E[]) {
    const state = events.reduce(decider.evolve, decider.initialState);
    return {
      state,
      when(command: C, ctx: X = context()) {
        let produced: readonly E[] | undefined;
        let error: unknown;
        try {
          produced = decider.decide(command, state, ctx);
        } catch (e) {
          error = e;
        }
        return {
          then(expected: readonly E[]) {
            if (error) throw error;
            expect(produced).toEqual(expected);
          },
          thenNothing() {
            if (error) throw error;
            expect(produced).toEqual([]);
          },
          thenRejects(code: string) {
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe(code);
          },
          produced(): readonly E[] {
            if (error) throw error;
            return produced!;
          },
        };
      },
    };
  };
}

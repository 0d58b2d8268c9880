// A stream category: the streams `<name>-<id>` of one aggregate kind, and the event types they hold.
// Stream ids are built and parsed here only, so no caller slices a prefix off a stream id.
import type { DomainEvent } from './decider.js';

export interface StreamCategory<N extends string = string, E extends DomainEvent = DomainEvent> {
  /** 'tenant', 'keys', …: the stream id is `<name>-<id>`. */
  readonly name: N;
  /** Every event type the domain writes to this category's streams. */
  readonly types: readonly E['type'][];
  /** The stream of one id (a tenant id, a jurisdiction). */
  stream(id: string): string;
  /** The id a stream of this category names, or undefined for a stream of another category. */
  idOf(streamId: string): string | undefined;
}

/**
 * Defines a category from its name and an object listing each event type once (a Record over the
 * union, so adding an event type to the union without listing it here does not compile). Name both
 * type parameters: `streamCategory<TenantEvent, 'tenant'>('tenant', {…})`.
 */
export function streamCategory<E extends DomainEvent, N extends string>(
  name: N,
  types: { readonly [T in E['type']]: true },
): StreamCategory<N, E> {
  const prefix = `${name}-`;
  return {
    name,
    types: Object.keys(types) as E['type'][],
    stream: (id) => `${prefix}${id}`,
    idOf: (streamId) => (streamId.startsWith(prefix) && streamId.length > prefix.length ? streamId.slice(prefix.length) : undefined),
  };
}

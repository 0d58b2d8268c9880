// What a route declares it reads from the request: its query parameters and whether it takes a body.
// ZodQuery and ZodBody record it beside the OpenAPI description they write from the same schema, so
// the input a route accepts is the input its description names (RequestInputInterceptor refuses the rest).

const DECLARED_INPUT = Symbol('lethe:declared-input');

export interface DeclaredInput {
  /** Names of the query parameters the route reads. */
  readonly query: ReadonlySet<string>;
  /** Whether the route reads a request body. */
  readonly body: boolean;
}

const NOTHING: DeclaredInput = { query: new Set(), body: false };

/** Adds `input` to what the handler `target[key]` declares. A no-op off a method. */
export function declareInput(target: object, key: string | symbol | undefined, input: { readonly query?: readonly string[]; readonly body?: boolean }): void {
  const handler = key === undefined ? undefined : (Object.getOwnPropertyDescriptor(target, key)?.value as object | undefined);
  if (handler === undefined) return;
  const current = declaredInputOf(handler);
  const next: DeclaredInput = { query: new Set([...current.query, ...(input.query ?? [])]), body: current.body || input.body === true };
  Reflect.defineMetadata(DECLARED_INPUT, next, handler);
}

/** What `handler` declares; nothing (no query parameter, no body) when it declares nothing. */
export function declaredInputOf(handler: object): DeclaredInput {
  return (Reflect.getMetadata(DECLARED_INPUT, handler) as DeclaredInput | undefined) ?? NOTHING;
}

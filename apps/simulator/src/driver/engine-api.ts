// The simulator's HTTP client of the engine: JSON in and out, one bearer token a call. Calls that the
// engine answers are returned whatever the status; the driver judges the status.
export interface EngineAnswer {
  readonly status: number;
  /** The body as text, cut to 500 characters (for the report). */
  readonly text: string;
}

export type EngineApi = (method: string, path: string, token: string, body?: unknown) => Promise<EngineAnswer>;

/** A client of the engine at `baseUrl`; a call rejects only when the engine cannot be reached. */
export function engineApi(baseUrl: string): EngineApi {
  return async (method, path, token, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    return { status: res.status, text: text.slice(0, 500) };
  };
}

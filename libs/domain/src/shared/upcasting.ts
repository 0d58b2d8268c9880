// Upcasting: an event is stored once and never rewritten, so when an event type's data changes shape
// its older versions are brought to the current one as they are read. Each step takes the data of
// version n to n + 1; a stored event runs the steps from its `metadata.schemaVersion` up.

/** An event as the store hands it back: type, data and metadata as JSON. */
export interface StoredEventShape {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Takes the data of one schema version to the next. Pure; must accept data already in the next shape. */
export type UpcastStep = (data: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>>;

export interface EventVersions {
  /** The version written today (>= 2 once the type changed shape). */
  readonly current: number;
  /** `steps[n]` takes version n to n + 1, for every n from 1 to current - 1. */
  readonly steps: Readonly<Record<number, UpcastStep>>;
}

/** The version events were written with before any type changed shape; events without one are read as it. */
export const FIRST_SCHEMA_VERSION = 1;

export class Upcasters {
  constructor(private readonly versions: Readonly<Record<string, EventVersions>>) {
    for (const [type, v] of Object.entries(versions)) {
      for (let n = FIRST_SCHEMA_VERSION; n < v.current; n++) {
        if (!v.steps[n]) throw new Error(`upcasting ${type}: no step from version ${n} to ${n + 1}`);
      }
    }
  }

  /** The schema version to stamp on a new event of `type`. */
  currentVersion(type: string): number {
    return this.versions[type]?.current ?? FIRST_SCHEMA_VERSION;
  }

  /**
   * The event with its data in the current shape of its type. A type without steps, or an event
   * already current, comes back as stored. An event written by a newer version of the engine (a
   * higher schemaVersion) is passed on as stored: it cannot be downcast, and newer shapes only add.
   */
  upcast<E extends StoredEventShape>(event: E): E {
    const v = this.versions[event.type];
    if (!v) return event;
    let version = storedVersion(event.metadata);
    if (version >= v.current) return event;
    let data = event.data as Readonly<Record<string, unknown>>;
    for (; version < v.current; version++) data = v.steps[version](data);
    return { ...event, data };
  }
}

function storedVersion(metadata: Readonly<Record<string, unknown>> | undefined): number {
  const v = metadata?.schemaVersion;
  return typeof v === 'number' && Number.isInteger(v) && v >= FIRST_SCHEMA_VERSION ? v : FIRST_SCHEMA_VERSION;
}
